"""Irreversible actions ask first, without JavaScript.

The action's own POST route answers a first press with a page that names what will happen and
repeats the request with `confirmed=yes`; only that second press performs the action. No extra
route, so the authorization and the scoped loading of the action apply to the question as well.

    @bp.post("/notes/<int:note_id>/sign")
    @therapist_only
    def sign(note_id):
        note = policy.note_for_therapist_or_404(current_user, note_id)
        if not confirm.given():
            return confirm.ask(
                title="Sign this note?",
                consequences=["The note can no longer be edited; changes become addenda."],
                button="Sign the note",
                back=url_for("notes.edit", note_id=note.id),
            )
        return boundary.press(lambda: services.sign(current_user, note), ...)

Fields the first form posted (other than the CSRF token) are carried over as hidden fields, so a
reason typed before pressing is not lost.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

CONFIRM_FIELD = "confirmed"


def given() -> bool:
    """True when this POST is the answer to the question."""
    return request.form.get(CONFIRM_FIELD) == "yes"


def ask(
    *,
    title: str,
    consequences: list[str],
    button: str,
    back: str,
    destructive: bool = True,
) -> ResponseReturnValue:
    """The question page: what will happen, the button that does it, and a way back."""
    carried = [
        (name, value)
        for name, values in request.form.lists()
        if name not in {"csrf_token", CONFIRM_FIELD}
        for value in values
    ]
    return render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        button=button,
        back=back,
        destructive=destructive,
        action=request.path,
        carried=carried,
    )
