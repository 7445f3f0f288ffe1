"""A GET of an address that only takes a form post (a bookmark, a reload of a page that was
re-rendered with errors, a pasted link) goes to the page that form lives on instead of a 405.

The page is the nearest address above it that answers GET (``/notes/7/sign`` → ``/notes/7``),
unless ``PAGE_OF`` names it; with neither, the person's home page. The page then checks access as
usual, so the redirect reveals nothing.
"""

from __future__ import annotations

from flask import Flask, current_app, redirect, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

# Form-only endpoint → the page its form is on, where the address alone does not say it.
# None: the person's home page (the address above it is someone else's page).
PAGE_OF: dict[str, str | None] = {
    "homework.give_feedback": "homework.review",
    "homework.mark_reviewed": "homework.review",
    "homework.change_due": "homework.review",
    "homework.answer_post": "homework.answer",
    "homework.dismiss_conflict": "homework.answer",
    "auth.end_session": "auth.security",
    "auth.end_other_sessions": "auth.security",
    "admin.deactivate": "admin.therapists",
    "admin.end_sessions": "admin.therapists",
    "admin.reactivate": "admin.therapists",
    "admin.resend": "admin.therapists",
    "admin.reset_second_factor": "admin.therapists",
    "measures.stop_schedule": None,
}


def page_for(path: str) -> str:
    """The address a GET of the form-only ``path`` is sent to."""
    adapter = _adapter()
    try:
        endpoint, args = adapter.match(path, method="POST")
    except (HTTPException, RequestRedirect):
        return url_for("core.index")
    if endpoint in PAGE_OF:
        target = PAGE_OF[endpoint]
        if target is None:
            return url_for("core.index")
        wanted = next(current_app.url_map.iter_rules(target)).arguments
        return url_for(target, **{k: v for k, v in args.items() if k in wanted})
    parent = path.rstrip("/")
    while parent.count("/") > 1:
        parent = parent.rsplit("/", 1)[0]
        try:
            adapter.match(parent, method="GET")
        except (NotFound, MethodNotAllowed, RequestRedirect):
            continue
        return parent
    return url_for("core.index")


def _adapter():
    return current_app.url_map.bind("localhost", script_name=request.script_root or "/")


def register(app: Flask) -> None:
    """Answer GET/HEAD of a form-only address with a redirect to its page (see module doc)."""

    @app.before_request
    def get_of_form_only_address():
        if request.method not in ("GET", "HEAD") or request.url_rule is not None:
            return None
        if request.routing_exception is None or not isinstance(
            request.routing_exception, MethodNotAllowed
        ):
            return None
        return redirect(page_for(request.path), code=303)
