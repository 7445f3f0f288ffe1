"""Addenda: signed, append-only corrections, late entries and clarifications of a signed note."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import User, utcnow
from therapy_portal.models.note_formats import ADDENDUM_KINDS
from therapy_portal.models.notes import NoteAddendum, NoteStatus, SessionNote
from therapy_portal.notes import signing
from therapy_portal.notes.services import check_length


def add_addendum(actor: User, note: SessionNote, kind: str, reason: str, body: str) -> NoteAddendum:
    """Append a signed addendum to a signed note."""
    if note.status != NoteStatus.SIGNED:
        raise InvalidState(gettext("Addenda are for signed notes. Edit the draft instead."))
    if not policy.can_add_addendum(actor, note):
        raise NotAllowed(gettext("not found"))
    if kind not in ADDENDUM_KINDS:
        raise ValidationFailed(gettext("Choose the kind of addendum."), field="kind")
    if not reason.strip():
        raise ValidationFailed(gettext("Say briefly why you are adding this."), field="reason")
    if not body.strip():
        raise ValidationFailed(gettext("Write the addendum."), field="body")
    check_length(body, "body")
    addenda = list(
        db.session.scalars(
            select(NoteAddendum)
            .where(NoteAddendum.note_id == note.id)
            .order_by(NoteAddendum.position)
        )
    )
    addendum = NoteAddendum(
        practice_id=note.practice_id,
        note_id=note.id,
        position=len(addenda) + 1,
        author_id=actor.id,
        author_name=actor.name,
        author_credentials=actor.credentials,
        kind=kind,
        reason=reason.strip()[:300],
        body=body,
        created_at=utcnow().replace(microsecond=0),
    )
    previous = addenda[-1].signature if addenda else (note.signature or "")
    addendum.signature = signing.sign_addendum_fields(addendum, previous)
    db.session.add(addendum)
    db.session.flush()
    # Keep a loaded `note.addenda` current without a lazy load.
    set_committed_value(note, "addenda", [*addenda, addendum])
    audit.record(
        "note.addendum",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
        kind=kind,
        count=addendum.position,
    )
    return addendum
