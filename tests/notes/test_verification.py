"""`flask notes verify-signatures`: every signed note in the database, checked after a restore."""

from __future__ import annotations

from sqlalchemy import select

from tests.notes.factories import make_note
from tests.notes.test_signing import tamper
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.notes import verification


def test_every_signed_note_is_checked_in_batches(people):
    for addenda in (0, 1, 2):
        make_note(people["therapist"], people["couple"], signed=True, addenda=addenda)
    make_note(people["therapist"], people["couple"])  # a draft has nothing to check
    db.session.commit()
    report = verification.verify_signed_notes(batch=2)
    assert report.checked == 3 and report.ok
    run = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "note.signatures_verified")
    )
    assert run.detail == {"count": 3} and run.outcome == "success"


def test_command_reports_success(app, people, runner):
    make_note(people["therapist"], people["couple"], signed=True, addenda=1)
    db.session.commit()
    result = runner.invoke(args=["notes", "verify-signatures", "--fail-if-none"])
    assert result.exit_code == 0, result.output
    assert "1 signed notes checked: every signature verifies." in result.output


def test_command_names_tampered_notes_by_id_and_audits_them(app, people, runner):
    good = make_note(people["therapist"], people["couple"], signed=True)
    bad = make_note(people["therapist"], people["couple"], signed=True, addenda=1)
    db.session.commit()
    tamper(
        "UPDATE note_addendum SET body = 'rewritten' WHERE note_id = :id AND position = 1",
        id=bad.id,
    )
    result = runner.invoke(args=["notes", "verify-signatures"])
    assert result.exit_code == 1
    assert f"1 of 2 signed notes fail their signature check (note ids {bad.id})" in result.output
    db.session.expire_all()
    failed = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "note.integrity_failed")
    ).all()
    assert failed == [bad.id] and good.id not in failed


def test_command_fails_with_another_signing_key(app, people, runner):
    make_note(people["therapist"], people["couple"], signed=True)
    db.session.commit()
    app.config["NOTE_SIGNING_KEY"] = "a key the notes were not signed with"
    result = runner.invoke(args=["notes", "verify-signatures"])
    assert result.exit_code == 1 and "Is NOTE_SIGNING_KEY the key" in result.output


def test_an_empty_database_fails_only_when_asked(runner):
    assert runner.invoke(args=["notes", "verify-signatures"]).exit_code == 0
    result = runner.invoke(args=["notes", "verify-signatures", "--fail-if-none"])
    assert result.exit_code == 1 and "no signed note" in result.output
