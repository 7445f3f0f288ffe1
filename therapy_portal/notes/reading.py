"""Reading notes: one note verified on every read, and the keyset-paged lists."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit, policy
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.notes import NoteAddendum, SessionNote
from therapy_portal.notes import signing
from therapy_portal.pagination import Page, keyset_page


def check_integrity(actor: User, note: SessionNote) -> signing.Integrity:
    """Verify a note; a mismatch is audited (and shown by the caller)."""
    integrity = signing.verify(note, list(note.addenda))
    if not integrity.ok:
        audit.record(
            "note.integrity_failed",
            actor=actor,
            object_type="session_note",
            object_id=note.id,
            couple_id=note.couple_id,
            outcome="failure",
            count=len(integrity.problems),
        )
    return integrity


def view_note(actor: User, note_id: int) -> tuple[SessionNote, signing.Integrity]:
    """Load a note, verify its signatures, and record the view."""
    note = policy.note_for_therapist_or_404(actor, note_id)
    integrity = check_integrity(actor, note)
    audit.record(
        "note.view",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
    )
    return note, integrity


@dataclass(frozen=True)
class NotesPage:
    notes: list[SessionNote]
    page: Page
    addenda_counts: dict[int, int]


def list_notes(
    actor: User,
    *,
    couple: Couple | None = None,
    after: int | None = None,
    per_page: int | None = None,
) -> NotesPage:
    """One keyset page of notes (a couple's, or the whole caseload's), newest session first.

    The same five statements whatever the page holds: notes, count, couples, authors and
    addenda counts.
    """
    base = policy.notes_for_therapist(actor)
    if couple is not None:
        base = base.where(SessionNote.couple_id == couple.id)
    page = keyset_page(
        base,
        [SessionNote.session_date],
        SessionNote.id,
        after=after,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        descending=True,
        # One couple's notes are counted (the page offers their export); the caseload's list
        # grows for years, so it is not.
        count=couple is not None,
        options=[selectinload(SessionNote.couple), selectinload(SessionNote.therapist)],
    )
    notes = page.items
    ids = [n.id for n in notes]
    counts = (
        dict(
            db.session.execute(
                select(NoteAddendum.note_id, func.count())
                .where(NoteAddendum.note_id.in_(ids))
                .group_by(NoteAddendum.note_id)
            ).all()
        )
        if ids
        else {}
    )
    return NotesPage(notes, page, counts)
