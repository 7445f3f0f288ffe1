"""Supervision: who supervises whom, who co-signs, what counts as final.

- An admin marks a therapist as supervised by another active therapist of the same practice.
- A supervised therapist's signed note or plan version awaits their supervisor's co-signature.
  Only that supervisor co-signs it; anyone else is refused with a message, never a 500.
- A supervisor reads the notes and plan versions submitted for their co-signature (and nothing
  else of the couple) and may comment on those notes; comments never change the note.
- **Final** means signed and, when a co-signature was asked for, co-signed. What is not final:
  is left out of records releases and partner copies (`final_notes`), and a session whose
  only signed note awaits co-signature still shows under "Sessions with no note yet" on Today.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from therapy_portal.models import Role, User
from therapy_portal.models.notes import NoteStatus, SessionNote
from therapy_portal.models.supervision import CoSignature, SignedKind

ONLY_SUPERVISOR = "Only the supervisor this was sent to can co-sign it."


def can_supervise(supervisor: User, therapist: User) -> bool:
    """Both active therapists of one practice, and not the same person."""
    return (
        supervisor.id != therapist.id
        and supervisor.role == Role.THERAPIST
        and therapist.role == Role.THERAPIST
        and supervisor.active
        and supervisor.practice_id == therapist.practice_id
    )


def can_cosign(user: User, cosignature: CoSignature | None) -> bool:
    return (
        cosignature is not None
        and cosignature.awaiting
        and cosignature.supervisor_id == user.id
        and cosignature.practice_id == user.practice_id
    )


def can_comment(user: User, cosignature: CoSignature | None) -> bool:
    """The supervisor a note was sent to comments on it (before or after co-signing)."""
    return (
        cosignature is not None
        and cosignature.kind == SignedKind.NOTE
        and cosignature.supervisor_id == user.id
    )


def pending(kind: SignedKind, object_id_column) -> ColumnElement[bool]:
    """True where the object awaits a co-signature."""
    return exists().where(
        CoSignature.kind == kind,
        CoSignature.object_id == object_id_column,
        CoSignature.cosigned_at.is_(None),
    )


def final_note() -> ColumnElement[bool]:
    """A note that is signed and not awaiting a co-signature: one that counts as final."""
    return and_(SessionNote.status == NoteStatus.SIGNED, ~pending(SignedKind.NOTE, SessionNote.id))


def notes_sent_to(user: User):
    """Ids of the notes sent to the user for co-signature."""
    return select(CoSignature.object_id).where(
        CoSignature.kind == SignedKind.NOTE,
        CoSignature.supervisor_id == user.id,
        CoSignature.practice_id == user.practice_id,
    )


def note_for_reviewer_or_404(user: User, note_id: int) -> SessionNote:
    """A note the user treats the couple of, or was sent to co-sign; couple and addenda loaded."""
    from sqlalchemy.orm import selectinload

    from therapy_portal import audit
    from therapy_portal.errors import NotAllowed
    from therapy_portal.extensions import db
    from therapy_portal.models import Couple
    from therapy_portal.policy.notes import notes_for_therapist

    if user.role != Role.THERAPIST:
        note = None
    else:
        visible = or_(
            SessionNote.id.in_(notes_for_therapist(user).with_only_columns(SessionNote.id)),
            SessionNote.id.in_(notes_sent_to(user)),
        )
        note = db.session.scalar(
            select(SessionNote)
            .where(SessionNote.id == note_id, visible)
            .options(
                selectinload(SessionNote.couple).selectinload(Couple.members),
                selectinload(SessionNote.addenda),
            )
        )
    if note is None:
        audit.record_denied(
            "note.access", actor=user, object_type="session_note", object_id=note_id
        )
        raise NotAllowed("not found")
    audit.reading_couple(note.couple_id)
    return note
