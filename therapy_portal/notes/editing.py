"""The draft editor's page: its form, the saved values, and the lost-race panel.

`draft_submit` is `boundary.submit` for the editor: the boundary rolls back a refused save, and the
page shows again with everything the user typed. A save that lost a race to another tab (a
`Conflict`) answers 409 with the saved version's text beside the user's, and the form's version
moved to the saved one, so the next save goes over what was shown.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from therapy_portal import boundary
from therapy_portal.errors import Conflict, DomainError
from therapy_portal.models.note_formats import FORMATS
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes.forms import FactsForm, PageForm, note_form_class


def edit_page(note: SessionNote, form, status: int = 200, conflict: dict | None = None):
    return render_template(
        "notes/edit.html",
        note=note,
        form=form,
        fmt=FORMATS[note.format],
        conflict=conflict,
        action_form=PageForm(),
    ), status


def load_form(note: SessionNote, formdata: MultiDict | None = None) -> FactsForm:
    form_class = note_form_class(note.format)
    if formdata is not None:
        return form_class(formdata=formdata, meta={"csrf": False})
    return form_class()


def saved_values(note: SessionNote) -> dict:
    values = {f"section_{k}": v for k, v in (note.sections or {}).items()}
    values.update(
        interventions=note.interventions,
        risk_screening=note.risk_screening,
        next_session=note.next_session,
        digest=note.digest,
    )
    return values


def saved_form_data(note: SessionNote) -> dict:
    """What the editor shows on opening: the saved draft and its version."""
    return {
        **saved_values(note),
        "session_date": note.session_date,
        "start_time": note.start_time,
        "end_time": note.end_time,
        "attendees": note.attendees,
        "service_code": note.service_code,
        "modality": note.modality,
        "version": str(note.version),
    }


def conflict_panel(note: SessionNote, form) -> dict:
    """The saved version's text next to the user's, labelled, to combine by hand."""
    saved = saved_values(note)
    return {
        "version": note.version,
        "fields": [(getattr(form, name).label.text, text) for name, text in saved.items() if text],
    }


def status_of(refusal: DomainError | None) -> int:
    """A re-shown form's status: 422 for invalid input or a refused value, else 409 (its state)."""
    return 422 if refusal is None or refusal.status == 422 else 409


def submit(
    form,
    perform: Callable[[], object],
    page: Callable[[DomainError | None], ResponseReturnValue],
    *,
    done: str,
    then: str,
) -> ResponseReturnValue:
    """`boundary.submit`, where the page shown again learns the refusal (None: invalid input)."""
    refusal: list[DomainError] = []

    def attempt() -> object:
        try:
            return perform()
        except DomainError as error:
            refusal.append(error)
            raise

    return boundary.submit(
        form, attempt, render=lambda: page(refusal[0] if refusal else None), done=done, then=then
    )


def draft_submit(
    note: SessionNote, form, perform: Callable[[], object], *, done: str, then: str
) -> ResponseReturnValue:
    """Save a draft; show the editor again if refused, with the saved text beside a lost race."""

    def again(error: DomainError | None) -> ResponseReturnValue:
        if isinstance(error, Conflict):  # rolled back: `note` reads what the other tab saved
            panel = conflict_panel(note, form)
            form.version.data = str(note.version)
            return edit_page(note, form, 409, panel)
        return edit_page(note, form, status_of(error))

    return submit(form, perform, again, done=done, then=then)
