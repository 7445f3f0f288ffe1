"""Homework pages. `bp` is defined here; the views live in one module per part of the flow:
`views_library` (templates), `views_assign` (assigning and changing), `views_partner` (answering)
and `views_review` (the therapist's review). `flask homework load-library` is registered here.
"""

from __future__ import annotations

import click
from flask import Blueprint

from therapy_portal.extensions import db

bp = Blueprint("homework", __name__, url_prefix="/homework", cli_group="homework")


@bp.cli.command("load-library")
def load_library_command() -> None:
    """Load or update the built-in exercise library (safe to run again)."""
    from therapy_portal.homework.services import load_library

    counts = load_library()
    db.session.commit()
    click.echo(
        f"Exercise library: {counts['created']} added, {counts['updated']} updated "
        f"(new version), {counts['unchanged']} unchanged."
    )


# The view modules register their routes on `bp`; the demo and reminder hooks register
# themselves on import (this module is always imported by the app factory).
from therapy_portal.homework import (  # noqa: E402, F401
    demo,
    digest,
    reminders,
    views_assign,
    views_library,
    views_partner,
    views_review,
)
