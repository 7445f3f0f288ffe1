"""Records requests and psychotherapy notes.

A couple's full record (signed notes plus what record providers such as homework add; never
psychotherapy notes) is released only when every current partner's authorization is recorded. A
partner's own copy needs that partner's authorization and holds only what that partner may see.
Psychotherapy notes are seen by their author alone and no export reads their table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, CoupleMember, User, utcnow
from therapy_portal.models.consents import ConsentKind
from therapy_portal.models.note_formats import AUTHORIZATION_METHODS, FIELD_LIMIT
from therapy_portal.models.notes import (
    NoteExport,
    PsychotherapyNote,
    RecordAuthorization,
    RecordScope,
)
from therapy_portal.notes import copies, jobs
from therapy_portal.notes.services import practice_today
from therapy_portal.policy import consents
from therapy_portal.policy.notes import authorized_labels


def _members(couple: Couple) -> list[CoupleMember]:
    return list(
        db.session.scalars(
            select(CoupleMember)
            .where(CoupleMember.couple_id == couple.id)
            .order_by(CoupleMember.label)
        )
    )


def authorizations(couple: Couple) -> list[RecordAuthorization]:
    return list(
        db.session.scalars(
            select(RecordAuthorization)
            .where(
                RecordAuthorization.couple_id == couple.id,
                RecordAuthorization.practice_id == couple.practice_id,
            )
            .order_by(RecordAuthorization.authorized_on, RecordAuthorization.id)
        )
    )


def record_authorization(
    actor: User, couple: Couple, label: str, method: str, authorized_on: date | None
) -> RecordAuthorization:
    """Record that a partner authorized release of the couple's record (date and method)."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    member = next((m for m in _members(couple) if m.label == label), None)
    if member is None:
        raise ValidationFailed(
            gettext("Choose one of the couple's partners."), field="partner_label"
        )
    consents.require(
        ConsentKind.RECORDS_RELEASE,
        couple,
        [label],
        action="Recording a release authorization",
        field="partner_label",
    )
    if method not in AUTHORIZATION_METHODS:
        raise ValidationFailed(gettext("Choose how the authorization was given."), field="method")
    if authorized_on is None:
        raise ValidationFailed(
            gettext("Enter the date of the authorization."), field="authorized_on"
        )
    if authorized_on > practice_today(actor):
        raise ValidationFailed(
            gettext("The authorization date can't be in the future."), field="authorized_on"
        )
    row = RecordAuthorization(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        partner_label=label,
        partner_user_id=member.user_id,
        method=method,
        authorized_on=authorized_on,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "record.authorization",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        partner=label,
        kind=method,
    )
    return row


@dataclass(frozen=True)
class ReleaseOptions:
    labels: list[str]
    authorized: set[str]
    can_full: bool


def release_options(couple: Couple, rows: list[RecordAuthorization]) -> ReleaseOptions:
    labels = [m.label for m in _members(couple)]
    return ReleaseOptions(
        labels=labels,
        authorized=authorized_labels(rows, labels),
        can_full=policy.can_release_record(RecordScope.FULL, rows, labels),
    )


def start_release(
    actor: User, couple: Couple, scope: str, previewed: str | None = None
) -> NoteExport:
    """Queue a records-request ZIP, refused until the needed authorizations are recorded.

    A partner's copy is released only as previewed: `previewed` is the fingerprint of the
    preview the therapist saw, and a copy that changed since (a note signed, a part marked) is
    refused until they look again.
    """
    if scope not in tuple(RecordScope):
        raise ValidationFailed(gettext("Choose what to release."), field="scope")
    labels = [m.label for m in _members(couple)]
    consents.require(
        ConsentKind.RECORDS_RELEASE,
        couple,
        labels if scope == RecordScope.FULL else [scope],
        action="Releasing the record",
    )
    if not policy.can_release_record(scope, authorizations(couple), labels):
        missing = "each partner's" if scope == RecordScope.FULL else f"partner {scope}'s"
        raise InvalidState(f"Record {missing} authorization before releasing this record.")
    if scope != RecordScope.FULL and copies.fingerprint(actor, couple, scope) != previewed:
        raise InvalidState(
            f"Partner {scope}'s copy is not what the preview showed (a note was signed or a part "
            "was marked since). Check the preview again, then release."
        )
    return jobs.start_record_export(actor, couple, scope)


# Psychotherapy notes ------------------------------------------------------------------------


def _check_private(actor: User, session_date: date | None, body: str) -> None:
    if session_date is None:
        raise ValidationFailed(gettext("Enter the session date."), field="session_date")
    if session_date > practice_today(actor):
        raise ValidationFailed(
            gettext("The session date can't be in the future."), field="session_date"
        )
    if not body.strip():
        raise ValidationFailed(gettext("Write the note."), field="body")
    if len(body) > FIELD_LIMIT:
        raise ValidationFailed(f"Keep it under {FIELD_LIMIT:,} characters.", field="body")


def add_private_note(
    actor: User, couple: Couple, session_date: date | None, body: str
) -> PsychotherapyNote:
    """Keep a psychotherapy note that only the author will ever see."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    _check_private(actor, session_date, body)
    note = PsychotherapyNote(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        author_id=actor.id,
        session_date=session_date,
        body=body,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "psychotherapy_note.create",
        actor=actor,
        object_type="psychotherapy_note",
        object_id=note.id,
        couple_id=couple.id,
    )
    return note


def update_private_note(
    actor: User, note: PsychotherapyNote, session_date: date | None, body: str
) -> PsychotherapyNote:
    if note.author_id != actor.id:
        raise NotAllowed(gettext("not found"))
    _check_private(actor, session_date, body)
    note.session_date = session_date
    note.body = body
    note.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "psychotherapy_note.update",
        actor=actor,
        object_type="psychotherapy_note",
        object_id=note.id,
        couple_id=note.couple_id,
    )
    return note


def private_notes(actor: User, couple: Couple) -> list[PsychotherapyNote]:
    return list(
        db.session.scalars(
            policy.psychotherapy_notes_for_author(actor)
            .where(PsychotherapyNote.couple_id == couple.id)
            .order_by(PsychotherapyNote.session_date.desc(), PsychotherapyNote.id.desc())
        )
    )
