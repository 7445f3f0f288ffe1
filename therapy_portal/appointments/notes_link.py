"""A session note started from a session: its date, times, participants and service code filled in.

The note itself is the notes area's: this calls `notes.services.create_note` and remembers the
note on the session (`appointment.note_id`), so the Today page can tell which sessions lack one.
"""

from __future__ import annotations

from datetime import datetime

from therapy_portal import audit
from therapy_portal.appointments.rules import zone_of
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import User, utcnow
from therapy_portal.models.appointments import Appointment, AppointmentStatus, Modality
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes import services as notes
from therapy_portal.notes.services import SessionFacts

NOTE_MODALITY = {Modality.IN_PERSON: "in_person", Modality.ONLINE: "video"}


def start_note(
    actor: User, appointment: Appointment, note_format: str, now: datetime | None = None
) -> SessionNote:
    """Start the draft note of a session that has begun, or return the one already started.

    The session's couple must be loaded (the policy's loader does it); the notes service checks
    that the actor treats the couple and that the format is known.
    """
    existing = db.session.get(SessionNote, appointment.note_id) if appointment.note_id else None
    if existing is not None:
        return existing
    if appointment.status == AppointmentStatus.CANCELLED:
        raise InvalidState(gettext("This session was cancelled, so it has no note."))
    if not appointment.has_started(now or utcnow()):
        raise InvalidState(gettext("A note can be started once the session has begun."))
    zone = zone_of(actor)
    start = appointment.starts_at.astimezone(zone)
    end = appointment.ends_at.astimezone(zone)
    facts = SessionFacts(
        session_date=start.date(),
        start_time=start.time().replace(second=0, microsecond=0),
        # A session past midnight keeps its end for the therapist to enter.
        end_time=end.time().replace(second=0, microsecond=0)
        if end.date() == start.date()
        else None,
        attendees=appointment.attendees,
        service_code=appointment.service_code,
        modality=NOTE_MODALITY[Modality(appointment.modality)],
        format=note_format,
    )
    note = notes.create_note(actor, appointment.couple, facts)
    appointment.note_id = note.id
    db.session.flush()
    audit.record(
        "appointment.start_note",
        actor=actor,
        object_type="appointment",
        object_id=appointment.id,
        couple_id=appointment.couple_id,
        note_id=note.id,
    )
    return note
