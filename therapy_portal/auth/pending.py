"""Keep a form's text when the session ended before it was submitted.

The unauthorized handler stashes the POSTed fields in the (server-side) session along with the id
of the user whose session expired. After that same user logs in again, the page that owned the form
is opened with the text restored. Another person logging in on the same browser never sees it.
"""

from __future__ import annotations

from typing import Any

from flask import request, session
from flask_login import current_user
from werkzeug.datastructures import MultiDict

_MAX_BYTES = 400_000
_SKIP = {"csrf_token"}


def stash_pending_post() -> None:
    if request.method != "POST" or not request.form:
        return
    owner = getattr(session, "expired_user_id", None)
    if owner is None:
        return
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in _SKIP]
    if sum(len(k) + len(v) for k, v in fields) > _MAX_BYTES:
        return
    session["_pending_post"] = {"path": request.path, "fields": fields}
    session["_pending_owner"] = owner


def carry_over() -> dict[str, Any]:
    """What to keep across the session rotation at login."""
    return {k: session[k] for k in ("_pending_post", "_pending_owner") if k in session}


def pending_path_for(user_id: int) -> str | None:
    pending = session.get("_pending_post")
    if pending and session.get("_pending_owner") == user_id:
        return pending["path"]
    return None


def take_pending_form() -> MultiDict | None:
    """The stashed fields for this page, for the user who typed them; removed once taken."""
    pending = session.get("_pending_post")
    if not pending or not current_user.is_authenticated:
        return None
    if session.get("_pending_owner") != current_user.id or pending["path"] != request.path:
        return None
    session.pop("_pending_post", None)
    session.pop("_pending_owner", None)
    return MultiDict(pending["fields"])


def drop_foreign_pending(user_id: int) -> None:
    if session.get("_pending_owner") not in (None, user_id):
        session.pop("_pending_post", None)
        session.pop("_pending_owner", None)
