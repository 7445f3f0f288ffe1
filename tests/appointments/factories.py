"""Test data for sessions. Each function flushes; callers commit when they need to."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from therapy_portal.appointments.rules import SessionInput
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.appointments import Appointment


def make_session(
    therapist: User,
    couple: Couple,
    *,
    starts_at: datetime | None = None,
    minutes: int = 50,
    attendees: str = "both",
    modality: str = "in_person",
    link: str | None = None,
    details: str = "",
    status: str = "scheduled",
) -> Appointment:
    """A session row as the services would leave it (any time, past ones included)."""
    start = (starts_at or utcnow() + timedelta(days=1)).replace(microsecond=0)
    appointment = Appointment(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        therapist_id=therapist.id,
        attendees=attendees,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        modality=modality,
        meeting_link=link if modality == "online" else None,
        details=details,
        status=status,
        created_by_id=therapist.id,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def session_input(**overrides) -> SessionInput:
    """A valid one-off session next week at 17:00, in person."""
    values = dict(
        starts_on=(utcnow() + timedelta(days=7)).date(),
        start_time=time(17, 0),
        duration_minutes=50,
    )
    values.update(overrides)
    return SessionInput(**values)
