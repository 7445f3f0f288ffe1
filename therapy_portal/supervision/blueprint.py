"""The supervision blueprint; its views are in `routes` (therapists) and `routes_admin`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
