"""Asking for and reading co-signatures of supervised work (see `policy.supervision`).

Called by the notes and plans services when a note or a plan version is signed, and read by their
pages and PDFs; the supervision area itself co-signs (`supervision.services`).
"""

from __future__ import annotations

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.models import User
from therapy_portal.models.supervision import CoSignature, NoteComment, SignedKind, Supervision
from therapy_portal.ui import dates


def supervisor_id_of(therapist: User) -> int | None:
    return db.session.scalar(
        select(Supervision.supervisor_id).where(
            Supervision.therapist_id == therapist.id,
            Supervision.practice_id == therapist.practice_id,
        )
    )


def request_if_supervised(author: User, kind: str, object_id: int, couple_id: int) -> None:
    """A supervised author's signed work awaits their supervisor's co-signature."""
    supervisor_id = supervisor_id_of(author)
    if supervisor_id is None:
        return
    db.session.add(
        CoSignature(
            practice_id=author.practice_id,
            couple_id=couple_id,
            kind=SignedKind(kind),
            object_id=object_id,
            author_id=author.id,
            supervisor_id=supervisor_id,
        )
    )
    db.session.flush()
    audit.record(
        "supervision.request",
        actor=author,
        object_type=f"{kind}_cosignature",
        object_id=object_id,
        couple_id=couple_id,
        kind=kind,
    )


def cosignature_for(kind: SignedKind, object_id: int) -> CoSignature | None:
    return db.session.scalar(
        select(CoSignature).where(CoSignature.kind == kind, CoSignature.object_id == object_id)
    )


def cosignature_values(cosignature: CoSignature | None, tz) -> dict | None:
    """A co-signature as plain values for print templates (None when none was asked for)."""
    if cosignature is None:
        return None
    return {
        "awaiting": cosignature.awaiting,
        "name": cosignature.cosigner_name,
        "credentials": cosignature.cosigner_credentials,
        "at": dates.when(cosignature.cosigned_at, tz, with_zone=True)
        if cosignature.cosigned_at
        else "",
        "hash": cosignature.signature or "",
    }


def comments_on(note_id: int) -> list[NoteComment]:
    return list(
        db.session.scalars(
            select(NoteComment)
            .where(NoteComment.note_id == note_id)
            .order_by(NoteComment.created_at, NoteComment.id)
        )
    )
