"""`flask notes …` commands (added to the notes blueprint's CLI group)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from therapy_portal.extensions import db
from therapy_portal.notes import verification


@click.command("verify-signatures")
@click.option("--fail-if-none", is_flag=True, help="Fail when there is no signed note to check.")
@with_appcontext
def verify_signatures(fail_if_none: bool) -> None:
    """Check every signed note and addendum against its signature (e.g. after a restore)."""
    report = verification.verify_signed_notes()
    db.session.commit()  # the integrity failures are audited
    if not report.ok:
        ids = ", ".join(str(note_id) for note_id in report.failed_ids)
        raise click.ClickException(
            f"{len(report.failed_ids)} of {report.checked} signed notes fail their signature "
            f"check (note ids {ids}). Is NOTE_SIGNING_KEY the key they were signed with?"
        )
    if fail_if_none and not report.checked:
        raise click.ClickException("There is no signed note to check.")
    click.echo(f"{report.checked} signed notes checked: every signature verifies.")
