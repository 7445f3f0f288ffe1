"""`flask homework load-library`: a command is its own unit of work, so it commits here."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from therapy_portal.extensions import db


@click.command("load-library")
@with_appcontext
def load_library_command() -> None:
    """Load or update the built-in exercise library (safe to run again)."""
    from therapy_portal.homework.library import LibraryError
    from therapy_portal.homework.services import load_library

    try:
        counts = load_library()
    except LibraryError as exc:
        raise click.ClickException(f"Exercise library not loaded, nothing changed. {exc}") from exc
    db.session.commit()
    click.echo(
        f"Exercise library: {counts['created']} added, {counts['updated']} updated "
        f"(new version), {counts['unchanged']} unchanged."
    )
