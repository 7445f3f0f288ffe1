"""Use cases of a draft session note: start, save, insert the digest, sign, delete.

Addenda are in `addenda`, reading and listing in `reading`, the digest's window in `since_last`.

Each function takes the acting therapist, asks the policy, changes state, writes the audit event
and raises domain errors; it flushes and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import delete
from sqlalchemy.orm.exc import StaleDataError

from therapy_portal import audit, cosigning, policy
from therapy_portal.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.note_formats import (
    ATTENDEES,
    FIELD_LIMIT,
    FORMATS,
    MODALITIES,
    SERVICE_CODES,
)
from therapy_portal.models.notes import NoteCopyExclusion, NoteStatus, SessionNote
from therapy_portal.notes import signing, since_last
from therapy_portal.timezones import practice_today, practice_zone  # noqa: F401 (re-exported)
from therapy_portal.ui import dates

CONFLICT_MESSAGE = (
    "This note was saved in another tab or window after you opened it, so your changes were not "
    "saved. Your text is kept below, next to the saved version: combine them, then save again."
)

DELETE_CONFLICT_MESSAGE = (
    "This draft was saved in another tab or window a moment ago, so it was not deleted. "
    "Open it to see what was saved."
)


def _flush_guarded(message: str) -> None:
    """Flush the note's change as one ``UPDATE … WHERE version = :v`` (the model's
    ``version_id_col``): a save that lost a race to another tab matches no row, and is refused
    with `Conflict`. The caller rolls back, as after any domain error; the user's text is in
    their request and goes back to them beside the saved version."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(message) from None


@dataclass(frozen=True)
class SessionFacts:
    session_date: date | None
    start_time: time | None
    end_time: time | None
    attendees: str
    service_code: str
    modality: str
    format: str = ""


@dataclass(frozen=True)
class NoteInput:
    facts: SessionFacts
    sections: dict[str, str] = field(default_factory=dict)
    interventions: str = ""
    risk_screening: str = ""
    next_session: str = ""
    digest: str = ""


def local_time_label(user: User) -> str:
    return dates.clock(utcnow(), user.practice.timezone)


def _check_facts(actor: User, facts: SessionFacts) -> None:
    if facts.session_date is None:
        raise ValidationFailed(gettext("Enter the session date."), field="session_date")
    if facts.session_date > practice_today(actor):
        raise ValidationFailed(
            gettext("The session date can't be in the future."), field="session_date"
        )
    if facts.start_time and facts.end_time and facts.end_time <= facts.start_time:
        raise ValidationFailed(
            gettext("The end time must be after the start time."), field="end_time"
        )
    for value, allowed, name in (
        (facts.attendees, ATTENDEES, "attendees"),
        (facts.service_code, SERVICE_CODES, "service_code"),
        (facts.modality, MODALITIES, "modality"),
    ):
        if value not in allowed:
            raise ValidationFailed(gettext("Choose one of the options."), field=name)


def check_length(text: str, field_name: str) -> None:
    if len(text) > FIELD_LIMIT:
        raise ValidationFailed(
            f"This field is longer than {FIELD_LIMIT:,} characters. Move part of it to another "
            "field or an addendum.",
            field=field_name,
        )


def create_note(actor: User, couple: Couple, facts: SessionFacts) -> SessionNote:
    """Start a draft note for a couple of the actor's caseload."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    if facts.format not in FORMATS:
        raise ValidationFailed(gettext("Choose a note format."), field="format")
    _check_facts(actor, facts)
    note = SessionNote(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        therapist_id=actor.id,
        session_date=facts.session_date,
        start_time=facts.start_time,
        end_time=facts.end_time,
        format=facts.format,
        attendees=facts.attendees,
        service_code=facts.service_code,
        modality=facts.modality,
        sections={},
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "note.create",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=couple.id,
        format=note.format,
    )
    return note


def _require_editable(actor: User, note: SessionNote) -> None:
    if note.status == NoteStatus.SIGNED:
        raise InvalidState(signing.SIGNED_NOTE_MESSAGE)
    if not policy.can_edit_note(actor, note):
        raise InvalidState(gettext("Only the therapist who wrote this draft can change it."))


def save_draft(actor: User, note: SessionNote, data: NoteInput, version: int) -> SessionNote:
    """Save a draft. A save based on an older version is refused with `Conflict`, nothing lost."""
    _require_editable(actor, note)
    if version != note.version:
        raise Conflict(CONFLICT_MESSAGE, server_version=note.version)
    _check_facts(actor, data.facts)
    sections = {s.key: data.sections.get(s.key, "") for s in FORMATS[note.format].sections}
    for key, text in sections.items():
        check_length(text, f"section_{key}")
    for name in ("interventions", "risk_screening", "digest"):
        check_length(getattr(data, name), name)
    facts = data.facts
    note.session_date, note.start_time, note.end_time = (
        facts.session_date,
        facts.start_time,
        facts.end_time,
    )
    note.attendees, note.service_code, note.modality = (
        facts.attendees,
        facts.service_code,
        facts.modality,
    )
    note.sections = sections
    note.interventions = data.interventions
    note.risk_screening = data.risk_screening
    note.next_session = data.next_session[:200]
    note.digest = data.digest
    note.updated_at = utcnow()
    _flush_guarded(CONFLICT_MESSAGE)
    audit.record(
        "note.save",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
        version=note.version,
    )
    return note


def insert_digest(actor: User, note: SessionNote, data: NoteInput, version: int) -> SessionNote:
    """Save the draft with the generated digest added after any digest text already there."""
    text = since_last.build_digest(actor, note)
    existing = data.digest.rstrip()
    combined = f"{existing}\n\n{text}" if existing else text
    data = NoteInput(
        data.facts,
        data.sections,
        data.interventions,
        data.risk_screening,
        data.next_session,
        combined,
    )
    note = save_draft(actor, note, data, version)
    audit.record(
        "note.digest_insert",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
    )
    return note


def sign_note(actor: User, note: SessionNote) -> SessionNote:
    """Lock a draft: signer, credentials, time and HMAC signature. Refuses an incomplete note."""
    _require_editable(actor, note)
    if not any((text or "").strip() for text in (note.sections or {}).values()):
        raise ValidationFailed(
            gettext("This note is empty. Write at least one section before signing.")
        )
    if note.start_time is None or note.end_time is None:
        raise ValidationFailed(
            gettext("Enter the start and end time before signing."), field="start_time"
        )
    note.status = NoteStatus.SIGNED
    note.signed_by_id = actor.id
    note.signer_name = actor.name
    note.signer_credentials = actor.credentials
    note.signed_at = utcnow().replace(microsecond=0)
    note.signature = signing.sign_note_fields(note)
    _flush_guarded(CONFLICT_MESSAGE)
    audit.record(
        "note.sign",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
        format=note.format,
    )
    cosigning.request_if_supervised(actor, "note", note.id, note.couple_id)
    return note


def save_and_sign(actor: User, note: SessionNote, data: NoteInput, version: int) -> SessionNote:
    """Save the draft as the form has it, then sign it: both or neither."""
    save_draft(actor, note, data, version)
    return sign_note(actor, note)


def delete_draft(actor: User, note: SessionNote) -> None:
    _require_editable(actor, note)
    audit.record(
        "note.delete_draft",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
    )
    # Its partner-copy marks go with it (SQLite does not enforce the foreign key's cascade).
    db.session.execute(delete(NoteCopyExclusion).where(NoteCopyExclusion.note_id == note.id))
    db.session.delete(note)
    _flush_guarded(DELETE_CONFLICT_MESSAGE)
