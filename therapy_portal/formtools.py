"""Small helpers shared by views that handle forms."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, g
from flask_wtf import FlaskForm

from therapy_portal.errors import DomainError, NotAllowed
from therapy_portal.extensions import db


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field = _field_named(form, error.field) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def _field_named(form: FlaskForm, name: str):
    """A top-level field, or a row's field of a `FieldList` ("goals-0-threshold")."""
    found = getattr(form, name, None)
    if found is not None:
        return found
    for top in form:
        for entry in top if top.type == "FieldList" else ():
            for sub in entry if entry.type == "FormField" else (entry,):
                if sub.name == name:
                    return sub
    return None


def csrf_expired() -> bool:
    """True when this request is the re-dispatch after a CSRF failure (see errors.py)."""
    return bool(g.get("csrf_error"))


def run_action(action: Callable[[], object], message: str) -> bool:
    """Run a button's service call; flashes `message`, or rolls back and flashes the refusal.

    Superseded by `boundary.press`. The request boundary commits. `NotAllowed` goes on to the
    error handler, so a missing or forbidden object stays a plain 404.
    """
    try:
        action()
    except NotAllowed:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    flash(message)
    return True


def optional_id(value: object) -> int | None:
    """A select's `coerce` for an optional id: "" or anything not a number is no choice."""
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
