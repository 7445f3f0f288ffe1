"""The session-notes blueprint; its views are split across `routes*.py` by flow."""

from __future__ import annotations

from flask import Blueprint

from therapy_portal import policy
from therapy_portal.models import Role

bp = Blueprint("notes", __name__)
therapist_only = policy.requires(Role.THERAPIST)
