"""The homework blueprint. `bp` is defined here; the views live in one module per part of the flow:
`views_library` (templates), `views_assign` (assigning and changing), `views_partner` (answering)
and `views_review` (the therapist's review), imported by `therapy_portal.blueprints`.
`flask homework load-library` is registered here.
"""

from __future__ import annotations

from flask import Blueprint

from therapy_portal.homework.cli import load_library_command

bp = Blueprint("homework", __name__, url_prefix="/homework", cli_group="homework")


bp.cli.add_command(load_library_command)
