"""Use cases for session notes: start, save drafts, insert the digest, sign, amend, read, list.

Each function takes the acting therapist, asks the policy, changes state, writes the audit event
and raises domain errors; it flushes and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from therapy_portal import audit, policy
from therapy_portal.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.notes import NoteAddendum, NoteCopyExclusion, NoteStatus, SessionNote
from therapy_portal.notes import digest as digests
from therapy_portal.notes import signing
from therapy_portal.notes.formats import (
    ADDENDUM_KINDS,
    ATTENDEES,
    FIELD_LIMIT,
    FORMATS,
    MODALITIES,
    SERVICE_CODES,
)
from therapy_portal.pagination import Page, keyset_page
from therapy_portal.timezones import practice_today, practice_zone  # noqa: F401 (re-exported)

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
    return datetime.now(practice_zone(user.practice.timezone)).strftime("%H:%M")


def _check_facts(actor: User, facts: SessionFacts) -> None:
    if facts.session_date is None:
        raise ValidationFailed("Enter the session date.", field="session_date")
    if facts.session_date > practice_today(actor):
        raise ValidationFailed("The session date can't be in the future.", field="session_date")
    if facts.start_time and facts.end_time and facts.end_time <= facts.start_time:
        raise ValidationFailed("The end time must be after the start time.", field="end_time")
    for value, allowed, name in (
        (facts.attendees, ATTENDEES, "attendees"),
        (facts.service_code, SERVICE_CODES, "service_code"),
        (facts.modality, MODALITIES, "modality"),
    ):
        if value not in allowed:
            raise ValidationFailed("Choose one of the options.", field=name)


def _check_length(text: str, field_name: str) -> None:
    if len(text) > FIELD_LIMIT:
        raise ValidationFailed(
            f"This field is longer than {FIELD_LIMIT:,} characters. Move part of it to another "
            "field or an addendum.",
            field=field_name,
        )


def create_note(actor: User, couple: Couple, facts: SessionFacts) -> SessionNote:
    """Start a draft note for a couple of the actor's caseload."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed("not found")
    if facts.format not in FORMATS:
        raise ValidationFailed("Choose a note format.", field="format")
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
        raise InvalidState("Only the therapist who wrote this draft can change it.")


def save_draft(actor: User, note: SessionNote, data: NoteInput, version: int) -> SessionNote:
    """Save a draft. A save based on an older version is refused with `Conflict`, nothing lost."""
    _require_editable(actor, note)
    if version != note.version:
        raise Conflict(CONFLICT_MESSAGE, server_version=note.version)
    _check_facts(actor, data.facts)
    sections = {s.key: data.sections.get(s.key, "") for s in FORMATS[note.format].sections}
    for key, text in sections.items():
        _check_length(text, f"section_{key}")
    for name in ("interventions", "risk_screening", "digest"):
        _check_length(getattr(data, name), name)
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


def digest_window(note: SessionNote, tz: ZoneInfo) -> tuple[datetime | None, datetime]:
    """From the end of the couple's previous session to the start of this one."""
    previous = db.session.scalar(
        select(SessionNote)
        .where(
            SessionNote.couple_id == note.couple_id,
            SessionNote.id != note.id,
            SessionNote.session_date < note.session_date,
        )
        .order_by(SessionNote.session_date.desc(), SessionNote.id.desc())
        .limit(1)
    )
    until = datetime.combine(note.session_date, note.start_time or time(23, 59, 59), tz)
    since = None
    if previous is not None:
        since = datetime.combine(previous.session_date, previous.end_time or time(23, 59, 59), tz)
    return since, until


def build_digest(actor: User, note: SessionNote) -> str:
    """The digest text for this note's window, from every registered provider."""
    tz = practice_zone(actor.practice.timezone)
    since, until = digest_window(note, tz)
    couple = db.session.get(Couple, note.couple_id)
    sections = digests.collect(couple, since, until)
    heading = (
        f"Since the last session ({since.date().isoformat()})"
        if since
        else "Before this first session"
    )
    return digests.as_text(sections, heading)


def insert_digest(actor: User, note: SessionNote, data: NoteInput, version: int) -> SessionNote:
    """Save the draft with the generated digest added after any digest text already there."""
    text = build_digest(actor, note)
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
        raise ValidationFailed("This note is empty. Write at least one section before signing.")
    if note.start_time is None or note.end_time is None:
        raise ValidationFailed("Enter the start and end time before signing.", field="start_time")
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
    return note


def add_addendum(actor: User, note: SessionNote, kind: str, reason: str, body: str) -> NoteAddendum:
    """Append a signed addendum to a signed note."""
    if note.status != NoteStatus.SIGNED:
        raise InvalidState("Addenda are for signed notes. Edit the draft instead.")
    if not policy.can_add_addendum(actor, note):
        raise NotAllowed("not found")
    if kind not in ADDENDUM_KINDS:
        raise ValidationFailed("Choose the kind of addendum.", field="kind")
    if not reason.strip():
        raise ValidationFailed("Say briefly why you are adding this.", field="reason")
    if not body.strip():
        raise ValidationFailed("Write the addendum.", field="body")
    _check_length(body, "body")
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
