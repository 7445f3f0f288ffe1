"""Check every signed note in the database against its signature: after a restore, on a schedule.

A restored backup is only as good as what it proves. `flask notes verify-signatures` walks the
signed notes in batches (a page costs what it shows), verifies each with the same code the note
page uses, audits each failure and the run, and names failures by id only (never PHI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.models.notes import NoteStatus, SessionNote
from therapy_portal.notes import signing

BATCH = 200


@dataclass
class VerificationReport:
    checked: int = 0
    failed_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_ids


def verify_signed_notes(batch: int = BATCH) -> VerificationReport:
    """Verify every signed note and its addenda chain; audit failures and the run. Flushes."""
    report = VerificationReport()
    last_id = 0
    while True:
        notes = db.session.scalars(
            select(SessionNote)
            .where(SessionNote.status == NoteStatus.SIGNED, SessionNote.id > last_id)
            .options(selectinload(SessionNote.addenda))
            .order_by(SessionNote.id)
            .limit(batch)
        ).all()
        if not notes:
            break
        for note in notes:
            report.checked += 1
            if not signing.verify(note, list(note.addenda)).ok:
                report.failed_ids.append(note.id)
                audit.record(
                    "note.integrity_failed",
                    practice_id=note.practice_id,
                    object_type="session_note",
                    object_id=note.id,
                    couple_id=note.couple_id,
                    outcome="failure",
                )
        last_id = notes[-1].id
        db.session.flush()
        db.session.expunge_all()  # keep memory flat on a large database
    audit.record(
        "note.signatures_verified",
        outcome="success" if report.ok else "failure",
        count=report.checked,
    )
    db.session.flush()
    return report
