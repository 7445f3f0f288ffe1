"""Signatures: verification on read, tamper detection, and refusal to change signed content."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.conftest import TEST_DB, owner_engine
from tests.notes.factories import make_note
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.notes import NoteAddendum, SessionNote
from therapy_portal.notes import reading, signing


def tamper(sql: str, **params) -> None:
    """Change a row behind the application's back (PostgreSQL: with its trigger disabled)."""
    with owner_engine().begin() as conn:
        if TEST_DB == "postgres":
            conn.execute(sa.text("ALTER TABLE session_note DISABLE TRIGGER USER"))
            conn.execute(sa.text("ALTER TABLE note_addendum DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS note_addendum_no_update"))
        conn.execute(sa.text(sql), params)
        if TEST_DB == "postgres":
            conn.execute(sa.text("ALTER TABLE session_note ENABLE TRIGGER USER"))
            conn.execute(sa.text("ALTER TABLE note_addendum ENABLE TRIGGER USER"))


def test_a_signed_note_verifies(people):
    note = make_note(people["therapist"], people["couple"], signed=True, addenda=2)
    db.session.commit()
    loaded, integrity = reading.view_note(people["therapist"], note.id)
    assert integrity.checked and integrity.ok and integrity.problems == []


def test_canonical_form_is_sorted_compact_json(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    data = signing.canonical_note(note)
    assert data.startswith(b'{"alg":"hmac-sha256-v1","attendees":"both",')
    parsed = json.loads(data)
    assert (
        data
        == json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert parsed["sections"] == note.sections and parsed["signer_credentials"] == "LMFT"


def test_signature_depends_on_the_configured_key(app, people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    app.config["NOTE_SIGNING_KEY"] = "another key"
    assert not signing.verify(note, []).ok


def test_tampered_note_is_detected_on_read_and_audited(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    db.session.commit()
    tamper("UPDATE session_note SET interventions = 'changed quietly' WHERE id = :id", id=note.id)
    db.session.expire_all()
    _, integrity = reading.view_note(people["therapist"], note.id)
    assert not integrity.ok
    assert integrity.problems == ["The note's content no longer matches its signature."]
    failed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "note.integrity_failed")
    )
    assert failed.object_id == note.id and failed.outcome == "failure"


def test_tampered_or_reordered_addendum_is_detected(people):
    note = make_note(people["therapist"], people["couple"], signed=True, addenda=2)
    db.session.commit()
    tamper(
        "UPDATE note_addendum SET body = 'rewritten' WHERE note_id = :id AND position = 1",
        id=note.id,
    )
    db.session.expire_all()
    _, integrity = reading.view_note(people["therapist"], note.id)
    assert integrity.problems == ["Addendum 1 no longer matches its signature."]


def test_orm_refuses_to_change_a_signed_note(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    db.session.commit()
    note.sections = {**note.sections, "data": "silently edited"}
    with pytest.raises(InvalidState, match="can't be changed"):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_unsign_or_delete_a_signed_note(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    db.session.commit()
    note.status = "draft"
    with pytest.raises(InvalidState):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(SessionNote, note.id))
    with pytest.raises(InvalidState, match="can't be deleted"):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_to_change_or_delete_addenda(people):
    make_note(people["therapist"], people["couple"], signed=True, addenda=1)
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE note_addendum SET body = 'x'"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM note_addendum"))
    assert db.session.scalar(select(NoteAddendum.body)) == "Addendum body 1."


@pytest.mark.postgres_only
@pytest.mark.skipif(TEST_DB != "postgres", reason="the trigger exists on PostgreSQL")
def test_postgres_trigger_refuses_update_and_delete_of_a_signed_note(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    draft = make_note(people["therapist"], people["couple"])
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="cannot be changed"), db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE session_note SET digest = 'x' WHERE id = :id"), {"id": note.id}
        )
    with pytest.raises(sa.exc.DatabaseError, match="cannot be deleted"), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM session_note WHERE id = :id"), {"id": note.id})
    with db.engine.begin() as conn:  # drafts stay editable
        conn.execute(
            sa.text("UPDATE session_note SET digest = 'x' WHERE id = :id"), {"id": draft.id}
        )
