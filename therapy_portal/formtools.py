"""Small helpers shared by views that handle forms."""

from __future__ import annotations

from flask import g
from flask_wtf import FlaskForm

from therapy_portal.errors import DomainError


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def csrf_expired() -> bool:
    """True when this request is the re-dispatch after a CSRF failure (see errors.py)."""
    return bool(g.get("csrf_error"))
