"""The practice admin's blueprint; its views are split across `routes*.py` by task."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def person_page(user) -> str:
    """Where an action on a person returns: the staff list, or partners' sign-in help."""
    from flask import url_for

    return url_for("admin.therapists") if user.is_staff else url_for("admin.partners")
