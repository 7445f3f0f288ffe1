"""The therapist's landing page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from therapy_portal import audit, policy
from therapy_portal.models import Role, utcnow
from therapy_portal.today import sections

bp = Blueprint("today", __name__)


@bp.get("/today")
@policy.requires(Role.THERAPIST)
@audit.reads("today.view")
def index():
    # The user itself, not Flask-Login's proxy: the sections read it a hundred times.
    therapist = current_user._get_current_object()  # type: ignore[attr-defined]
    return render_template(
        "today/index.html",
        sections=sections.build(therapist, utcnow()),
    )
