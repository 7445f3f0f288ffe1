"""The accounts blueprint; its views are split across `routes*.py` by flow."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
