"""Signatures for session notes and addenda, their verification, and the ORM immutability guard.

A signature is HMAC-SHA256, keyed from config `NOTE_SIGNING_KEY`, over a canonical JSON
serialisation (sorted keys, no whitespace, UTF-8) of everything the note says, who signed it and
when. Each addendum's signature also covers its position and the signature before it, so removing,
reordering or editing an addendum breaks the chain.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from therapy_portal.errors import InvalidState
from therapy_portal.i18n import gettext
from therapy_portal.models.note_formats import FORMATS
from therapy_portal.models.note_triggers import CONTENT_COLUMNS
from therapy_portal.models.notes import NoteAddendum, NoteStatus, SessionNote
from therapy_portal.signatures import ALGORITHM, canonical, mac
from therapy_portal.signatures import iso as _iso

SIGNED_NOTE_MESSAGE = "This note is signed and can't be changed. Add an addendum instead."


def canonical_note(note: SessionNote) -> bytes:
    """The bytes a note's signature covers."""
    fmt = FORMATS[note.format]
    payload = {
        "alg": ALGORITHM,
        "id": note.id,
        "practice_id": note.practice_id,
        "couple_id": note.couple_id,
        "therapist_id": note.therapist_id,
        "session_date": _iso(note.session_date),
        "start_time": _iso(note.start_time),
        "end_time": _iso(note.end_time),
        "format": note.format,
        "attendees": note.attendees,
        "service_code": note.service_code,
        "modality": note.modality,
        "sections": {s.key: (note.sections or {}).get(s.key, "") for s in fmt.sections},
        "interventions": note.interventions,
        "risk_screening": note.risk_screening,
        "next_session": note.next_session,
        "digest": note.digest,
        "signed_by_id": note.signed_by_id,
        "signer_name": note.signer_name,
        "signer_credentials": note.signer_credentials,
        "signed_at": _iso(note.signed_at),
    }
    return canonical(payload)


def canonical_addendum(addendum: NoteAddendum, previous_signature: str) -> bytes:
    payload = {
        "alg": ALGORITHM,
        "note_id": addendum.note_id,
        "position": addendum.position,
        "previous": previous_signature,
        "author_id": addendum.author_id,
        "author_name": addendum.author_name,
        "author_credentials": addendum.author_credentials,
        "kind": addendum.kind,
        "reason": addendum.reason,
        "body": addendum.body,
        "created_at": _iso(addendum.created_at),
    }
    return canonical(payload)


def sign_note_fields(note: SessionNote) -> str:
    return mac(canonical_note(note))


def sign_addendum_fields(addendum: NoteAddendum, previous_signature: str) -> str:
    return mac(canonical_addendum(addendum, previous_signature))


@dataclass
class Integrity:
    """The result of checking a note and its addenda against their signatures."""

    checked: bool  # False for drafts: there is nothing to check yet
    ok: bool = True
    problems: list[str] = field(default_factory=list)


def verify(note: SessionNote, addenda: list[NoteAddendum]) -> Integrity:
    """Check a signed note and each addendum (in order) against their stored signatures."""
    if note.status != NoteStatus.SIGNED:
        return Integrity(checked=False)
    result = Integrity(checked=True)
    if not note.signature or not hmac.compare_digest(note.signature, sign_note_fields(note)):
        result.problems.append("The note's content no longer matches its signature.")
    previous = note.signature or ""
    for expected_position, addendum in enumerate(addenda, start=1):
        good = addendum.position == expected_position and hmac.compare_digest(
            addendum.signature, sign_addendum_fields(addendum, previous)
        )
        if not good:
            result.problems.append(f"Addendum {addendum.position} no longer matches its signature.")
        previous = addendum.signature
    result.ok = not result.problems
    return result


def pdf_cache_key(note: SessionNote, addenda: list[NoteAddendum], template_version: str) -> str:
    """Changes whenever the note, any addendum or the print template changes."""
    parts = [template_version, note.signature or ""] + [a.signature for a in addenda]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# ORM guard: refuses, on every database, to change or delete a signed note through the session.


def _original_status(note: SessionNote) -> str | None:
    history = inspect(note).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None


def refuse_signed_note_changes(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, SessionNote) and _original_status(obj) == NoteStatus.SIGNED:
            state = inspect(obj)
            if any(state.attrs[c].history.has_changes() for c in CONTENT_COLUMNS):
                raise InvalidState(SIGNED_NOTE_MESSAGE)
    for obj in session.deleted:
        if isinstance(obj, SessionNote) and _original_status(obj) == NoteStatus.SIGNED:
            raise InvalidState(gettext("A signed note can't be deleted."))
        if isinstance(obj, NoteAddendum):
            raise InvalidState(gettext("Addenda can't be deleted."))
    for obj in session.dirty:
        if isinstance(obj, NoteAddendum) and session.is_modified(obj):
            raise InvalidState(gettext("Addenda can't be changed."))
