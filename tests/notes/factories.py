"""Test data for session notes. Each function flushes; callers commit when they need to."""

from __future__ import annotations

from datetime import date, time, timedelta

from tests import clock
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.note_formats import FORMATS
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes import services
from therapy_portal.notes.addenda import add_addendum
from therapy_portal.notes.services import NoteInput, SessionFacts


def facts(**overrides) -> SessionFacts:
    values = dict(
        session_date=clock.today() - timedelta(days=1),
        start_time=time(10, 0),
        end_time=time(10, 50),
        attendees="both",
        service_code="90847",
        modality="in_person",
        format="dap",
    )
    values.update(overrides)
    return SessionFacts(**values)


def note_input(note: SessionNote, **overrides) -> NoteInput:
    fmt = FORMATS[note.format]
    sections = overrides.pop("sections", None) or {
        s.key: f"{s.title} text for note {note.id}." for s in fmt.sections
    }
    values = dict(
        facts=facts(
            session_date=note.session_date,
            start_time=note.start_time,
            end_time=note.end_time,
            format=note.format,
            attendees=note.attendees,
        ),
        sections=sections,
        interventions="Soft start-up coaching.",
        risk_screening="No current risk reported by either partner.",
        next_session="Next week, same time",
        digest="",
    )
    values.update(overrides)
    return NoteInput(**values)


def make_note(
    therapist: User,
    couple: Couple,
    *,
    fmt: str = "dap",
    signed: bool = False,
    session_date: date | None = None,
    addenda: int = 0,
    attendees: str = "both",
    **overrides,
) -> SessionNote:
    note = services.create_note(
        therapist,
        couple,
        facts(
            format=fmt,
            session_date=session_date or clock.today() - timedelta(days=1),
            attendees=attendees,
        ),
    )
    services.save_draft(therapist, note, note_input(note, **overrides), note.version)
    if signed:
        services.sign_note(therapist, note)
    for n in range(addenda):
        add_addendum(therapist, note, "clarification", f"Reason {n + 1}", f"Addendum body {n + 1}.")
    db.session.flush()
    return note
