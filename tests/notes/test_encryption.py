"""Encryption at rest: psychotherapy notes, risk screenings and homework answers are stored as
AES-GCM ciphertext, and `flask keys rotate` moves every row to a new key while the old one still
decrypts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import clock
from tests.notes.factories import make_note
from therapy_portal import crypto
from therapy_portal.extensions import db
from therapy_portal.models import Base
from therapy_portal.models.encrypted import encrypted_columns
from therapy_portal.models.notes import PsychotherapyNote, SessionNote
from therapy_portal.notes import addenda, reading, records

SECRET = "Partner disclosed an affair with a colleague named Jordan"
RISK = "Denies suicidal ideation; safety plan reviewed"


def _raw(table: str, column: str, row_id: int) -> str:
    """The stored value, read around the column type (which would decrypt it)."""
    t = sa.table(table, sa.column("id"), sa.column(column))
    return db.session.scalar(sa.select(t.c[column]).where(t.c.id == row_id))


def _private_note(people) -> PsychotherapyNote:
    note = records.add_private_note(
        people["therapist"], people["couple"], clock.today() - timedelta(days=1), SECRET
    )
    db.session.commit()
    return note


def test_a_psychotherapy_note_is_stored_as_ciphertext(people):
    note = _private_note(people)
    stored = _raw("psychotherapy_note", "body", note.id)
    assert stored.startswith("enc1:test1:")
    assert SECRET not in stored and "Jordan" not in stored
    db.session.expire_all()
    assert db.session.get(PsychotherapyNote, note.id).body == SECRET


def test_the_risk_screening_is_encrypted_and_the_signature_covers_its_plaintext(people):
    note = make_note(people["therapist"], people["couple"], signed=True, risk_screening=RISK)
    db.session.commit()
    assert RISK not in _raw("session_note", "risk_screening", note.id)
    db.session.expire_all()
    _loaded, integrity = reading.view_note(people["therapist"], note.id)
    assert integrity.ok


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(people):
    note = _private_note(people)
    stored = _raw("psychotherapy_note", "body", note.id)
    with pytest.raises(crypto.EncryptionKeyError):
        crypto.keyring().decrypt(stored, "session_note.risk_screening")


def test_rows_from_before_encryption_are_read_and_then_encrypted_by_rotate(people, runner):
    note = _private_note(people)
    db.session.execute(
        sa.text("UPDATE psychotherapy_note SET body = 'legacy text' WHERE id = :id"),
        {"id": note.id},
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(PsychotherapyNote, note.id).body == "legacy text"
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert _raw("psychotherapy_note", "body", note.id).startswith("enc1:test1:")


def test_after_rotate_every_row_decrypts_under_the_new_key(app, people, runner):
    note = _private_note(people)
    signed = make_note(people["therapist"], people["couple"], signed=True, risk_screening=RISK)
    db.session.commit()
    new_key, old = crypto.generate_key(), app.config["ENCRYPTION_KEYS"]
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key},{old}"
    crypto.init_app(app)
    result = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "0 left under other keys" in result.output
    # Only the new key from here on: every encrypted value of every table must still read.
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key}"
    crypto.init_app(app)
    for _table, column in encrypted_columns(Base.metadata):
        raw = db.session.execute(sa.select(sa.type_coerce(column, sa.Text))).scalars().all()
        assert all(v.startswith("enc1:k2:") for v in raw if v is not None), column
    db.session.expire_all()
    assert db.session.get(PsychotherapyNote, note.id).body == SECRET
    assert db.session.get(SessionNote, signed.id).risk_screening == RISK
    _loaded, integrity = reading.view_note(people["therapist"], signed.id)
    assert integrity.ok


def test_the_cached_pdf_of_a_signed_note_is_encrypted_too(people):
    from therapy_portal.models.notes import NotePdfCache
    from therapy_portal.notes import export

    note = make_note(people["therapist"], people["couple"], signed=True, risk_screening=RISK)
    db.session.commit()
    first = export.export_note_pdf(people["therapist"], note.id)
    db.session.commit()
    cached = db.session.scalar(sa.select(NotePdfCache.id))
    assert _raw("note_pdf_cache", "pdf", cached).startswith("enc1:test1:")
    again = export.export_note_pdf(people["therapist"], note.id)
    assert again.cached and again.pdf == first.pdf


ADDENDUM = "Partner B later disclosed the affair was still going on"


def _addendum(people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    addendum = addenda.add_addendum(
        people["therapist"], note, "late_entry", "Told after the session", ADDENDUM
    )
    db.session.commit()
    return note, addendum


def test_an_addendum_is_stored_as_ciphertext_and_its_signature_covers_the_plaintext(people):
    note, addendum = _addendum(people)
    stored = _raw("note_addendum", "body", addendum.id)
    assert stored.startswith("enc1:test1:")
    assert ADDENDUM not in stored and "affair" not in stored
    db.session.expire_all()
    _loaded, integrity = reading.view_note(people["therapist"], note.id)
    assert integrity.ok and _loaded.addenda[0].body == ADDENDUM


def test_an_addendum_decrypts_after_rotation_and_stays_append_only(app, people, runner):
    note, addendum = _addendum(people)
    new_key, old = crypto.generate_key(), app.config["ENCRYPTION_KEYS"]
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key},{old}"
    crypto.init_app(app)
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key}"
    crypto.init_app(app)
    stored = _raw("note_addendum", "body", addendum.id)
    assert stored.startswith("enc1:k2:") and ADDENDUM not in stored
    db.session.expire_all()
    _loaded, integrity = reading.view_note(people["therapist"], note.id)
    assert integrity.ok and _loaded.addenda[0].body == ADDENDUM
    # Re-encrypting is the only change the database lets through.
    for sql in (
        "UPDATE note_addendum SET body = 'plain text'",
        "UPDATE note_addendum SET reason = 'changed', body = body",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(sql))
