"""Who may see or do what with session notes, psychotherapy notes, exports and records requests.

A couple's therapists (primary and co) read its notes, export them and add addenda; only the
author edits, signs or deletes a draft. Psychotherapy notes are visible to their author alone.
Partners and admins see no notes. Misses look like 404s and are audited.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleTherapist, Role, User
from therapy_portal.models.notes import (
    NoteExport,
    NoteStatus,
    PsychotherapyNote,
    RecordAuthorization,
    SessionNote,
)


def notes_for_therapist(user: User) -> Select[tuple[SessionNote]]:
    """Session notes of the couples where the user is primary or co-therapist."""
    if user.role != Role.THERAPIST:
        return select(SessionNote).where(False)
    return select(SessionNote).where(
        SessionNote.practice_id == user.practice_id,
        exists().where(
            CoupleTherapist.couple_id == SessionNote.couple_id,
            CoupleTherapist.therapist_id == user.id,
        ),
    )


def note_for_therapist_or_404(user: User, note_id: int) -> SessionNote:
    """The note with its couple (members, therapists) and addenda loaded, or 404."""
    from therapy_portal.models import Couple

    note = db.session.scalar(
        notes_for_therapist(user)
        .where(SessionNote.id == note_id)
        .options(
            selectinload(SessionNote.couple).selectinload(Couple.members),
            selectinload(SessionNote.addenda),
            selectinload(SessionNote.therapist),
        )
    )
    if note is None:
        audit.record_denied(
            "note.access", actor=user, object_type="session_note", object_id=note_id
        )
        raise NotAllowed("not found")
    audit.reading_couple(note.couple_id)
    return note


def can_edit_note(user: User, note: SessionNote) -> bool:
    """Only the author edits, signs or deletes, and only while the note is a draft."""
    return note.therapist_id == user.id and note.status == NoteStatus.DRAFT


def can_add_addendum(user: User, note: SessionNote) -> bool:
    """Any of the couple's therapists may amend a signed note (the loader scoped the couple)."""
    return user.role == Role.THERAPIST and note.status == NoteStatus.SIGNED


def psychotherapy_notes_for_author(user: User) -> Select[tuple[PsychotherapyNote]]:
    if user.role != Role.THERAPIST:
        return select(PsychotherapyNote).where(False)
    return select(PsychotherapyNote).where(
        PsychotherapyNote.practice_id == user.practice_id,
        PsychotherapyNote.author_id == user.id,
    )


def psychotherapy_note_for_author_or_404(user: User, private_note_id: int) -> PsychotherapyNote:
    note = db.session.scalar(
        psychotherapy_notes_for_author(user).where(PsychotherapyNote.id == private_note_id)
    )
    if note is None:
        audit.record_denied(
            "psychotherapy_note.access",
            actor=user,
            object_type="psychotherapy_note",
            object_id=private_note_id,
        )
        raise NotAllowed("not found")
    audit.reading_couple(note.couple_id)
    return note


def export_for_requester_or_404(user: User, export_id: int) -> NoteExport:
    """An export job is visible only to the person who asked for it, and a couple's export only
    while they still treat that couple."""
    still_treats = exists().where(
        CoupleTherapist.couple_id == NoteExport.couple_id,
        CoupleTherapist.therapist_id == user.id,
    )
    job = db.session.scalar(
        select(NoteExport).where(
            NoteExport.id == export_id,
            NoteExport.requested_by_id == user.id,
            NoteExport.practice_id == user.practice_id,
            or_(NoteExport.couple_id.is_(None), still_treats),
        )
    )
    if job is None:
        audit.record_denied(
            "note_export.access", actor=user, object_type="note_export", object_id=export_id
        )
        raise NotAllowed("not found")
    return job


def authorized_labels(authorizations: list[RecordAuthorization], labels: list[str]) -> set[str]:
    """The partner labels with a recorded authorization, among the couple's current partners."""
    return {a.partner_label for a in authorizations} & set(labels)


def can_release_record(
    scope: str, authorizations: list[RecordAuthorization], labels: list[str]
) -> bool:
    """Full record: every current partner authorized. A partner's copy: that partner authorized."""
    have = authorized_labels(authorizations, labels)
    if scope == "full":
        return bool(labels) and have == set(labels)
    return scope in labels and scope in have
