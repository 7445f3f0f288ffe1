"""Use cases of supervision: set a supervisor (admin), co-sign, comment, the supervisor's queue.

Each function takes the acting user, asks the policy, changes state, writes the audit event and
raises domain errors; it flushes and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from therapy_portal import audit, prepared
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, Role, User, utcnow
from therapy_portal.models.notes import SessionNote
from therapy_portal.models.plans import PlanVersion
from therapy_portal.models.supervision import CoSignature, NoteComment, SignedKind, Supervision
from therapy_portal.policy import supervision as rules
from therapy_portal.signatures import ALGORITHM, canonical, iso, mac

COMMENT_LIMIT = 4_000


def _practice_therapist(actor: User, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.practice_id != actor.practice_id or user.role != Role.THERAPIST:
        raise NotAllowed(gettext("not found"))
    return user


def set_supervisor(actor: User, therapist_id: int, supervisor_id: int | None) -> Supervision | None:
    """An admin marks a therapist as supervised by another of the practice, or not supervised.

    Work already waiting keeps the supervisor it was sent to."""
    if actor.role != Role.ADMIN:
        raise NotAllowed(gettext("not found"))
    therapist = _practice_therapist(actor, therapist_id)
    supervisor = _practice_therapist(actor, supervisor_id)
    row = db.session.scalar(select(Supervision).where(Supervision.therapist_id == therapist.id))
    if supervisor is not None and not rules.can_supervise(supervisor, therapist):
        raise ValidationFailed(
            gettext("Choose another active therapist of the practice as supervisor."),
            field="supervisor",
        )
    if supervisor is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        row = Supervision(practice_id=actor.practice_id, therapist_id=therapist.id)
        db.session.add(row)
    if supervisor is not None:
        row.supervisor_id, row.set_by_id, row.set_at = supervisor.id, actor.id, utcnow()
    db.session.flush()
    audit.record(
        "supervision.set" if supervisor else "supervision.end",
        actor=actor,
        object_type="user",
        object_id=therapist.id,
    )
    return row if supervisor else None


def practice_therapists(actor: User) -> list[User]:
    """The practice's therapists, active first, for the admin's supervision page."""
    if actor.role != Role.ADMIN:
        raise NotAllowed(gettext("not found"))
    return list(
        db.session.scalars(
            select(User)
            .where(User.practice_id == actor.practice_id, User.role == Role.THERAPIST)
            .order_by(User.active.desc(), User.name)
        )
    )


def supervisors(actor: User) -> dict[int, int]:
    """Supervisor id by supervised therapist id, in the actor's practice."""
    rows = db.session.execute(
        select(Supervision.therapist_id, Supervision.supervisor_id).where(
            Supervision.practice_id == actor.practice_id
        )
    )
    return dict(rows.all())


def _canonical(cosignature: CoSignature, signed_signature: str) -> bytes:
    return canonical(
        {
            "alg": ALGORITHM,
            "kind": cosignature.kind,
            "object_id": cosignature.object_id,
            "signed": signed_signature,
            "supervisor_id": cosignature.supervisor_id,
            "cosigner_name": cosignature.cosigner_name,
            "cosigner_credentials": cosignature.cosigner_credentials,
            "cosigned_at": iso(cosignature.cosigned_at),
        }
    )


def cosign(actor: User, cosignature: CoSignature | None, signed_signature: str) -> CoSignature:
    """The supervisor co-signs a signed note or plan version; anyone else is refused."""
    if cosignature is None:
        raise InvalidState(gettext("This was not sent for a co-signature."))
    if not cosignature.awaiting:
        raise InvalidState(gettext("This is already co-signed."))
    if not rules.can_cosign(actor, cosignature):
        audit.record_denied(
            "supervision.cosign",
            actor=actor,
            object_type=f"{cosignature.kind}_cosignature",
            object_id=cosignature.object_id,
            couple_id=cosignature.couple_id,
        )
        raise InvalidState(rules.ONLY_SUPERVISOR)
    cosignature.cosigned_at = utcnow().replace(microsecond=0)
    cosignature.cosigner_name = actor.name
    cosignature.cosigner_credentials = actor.credentials
    cosignature.signature = mac(_canonical(cosignature, signed_signature))
    db.session.flush()
    audit.record(
        "supervision.cosign",
        actor=actor,
        object_type=f"{cosignature.kind}_cosignature",
        object_id=cosignature.object_id,
        couple_id=cosignature.couple_id,
        kind=cosignature.kind,
    )
    return cosignature


def add_comment(actor: User, note: SessionNote, cosignature: CoSignature | None, body: str):
    """The supervisor comments on a signed note; the note itself is not touched."""
    if not rules.can_comment(actor, cosignature):
        raise InvalidState(gettext("Only the supervisor this note was sent to can comment on it."))
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(gettext("Write the comment."), field="body")
    if len(text) > COMMENT_LIMIT:
        raise ValidationFailed(f"Keep a comment under {COMMENT_LIMIT:,} characters.", field="body")
    comment = NoteComment(
        practice_id=note.practice_id,
        note_id=note.id,
        author_id=actor.id,
        author_name=actor.display_with_credentials,
        body=text,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "supervision.comment",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
    )
    return comment


@dataclass(frozen=True)
class Waiting:
    kind: str
    object_id: int
    couple_name: str
    author_name: str
    dated: date | None
    since: datetime


def queue(actor: User, limit: int = 100) -> list[Waiting]:
    """What awaits the actor's co-signature, oldest first: one statement."""
    return prepared.run(queue_read(actor, limit))


def queue_read(actor: User, limit: int = 100) -> prepared.Read[list[Waiting]]:
    """`queue` as a read to run with others."""
    return prepared.Read(
        prepared.statement(f"supervision.queue.{limit}", lambda who: _queue(who, limit)),
        prepared.params(actor, any_role=True),
        _waiting,
    )


def _waiting(rows) -> list[Waiting]:
    return [Waiting(k, oid, name, who, day, since) for k, oid, name, who, day, _, since in rows]


def _queue(actor, limit: int):
    author = User.__table__.alias("author")
    return (
        select(
            CoSignature.kind,
            CoSignature.object_id,
            Couple.display_name,
            author.c.name,
            SessionNote.session_date,
            PlanVersion.number,
            CoSignature.requested_at,
        )
        .join(Couple, Couple.id == CoSignature.couple_id)
        .join(author, author.c.id == CoSignature.author_id)
        .outerjoin(
            SessionNote,
            (CoSignature.kind == SignedKind.NOTE) & (SessionNote.id == CoSignature.object_id),
        )
        .outerjoin(
            PlanVersion,
            (CoSignature.kind == SignedKind.PLAN) & (PlanVersion.id == CoSignature.object_id),
        )
        .where(
            CoSignature.supervisor_id == actor.id,
            CoSignature.practice_id == actor.practice_id,
            CoSignature.cosigned_at.is_(None),
        )
        .order_by(CoSignature.requested_at, CoSignature.id)
        .limit(prepared.constant(limit))
    )
