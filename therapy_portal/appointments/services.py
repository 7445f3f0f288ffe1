"""Use cases that change sessions: schedule (one or a series), reschedule, cancel, mark outcomes.

Each takes the acting therapist and objects the policy loaded, checks the rules
(`appointments.rules`), changes state, writes the audit event and raises domain errors; it
flushes and never commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from therapy_portal import audit, policy
from therapy_portal.appointments import rules
from therapy_portal.appointments.rules import Repeat, SessionInput
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.appointments import (
    Appointment,
    AppointmentSeries,
    AppointmentStatus,
    Modality,
)
from therapy_portal.models.consents import ConsentKind
from therapy_portal.policy import appointments as scope
from therapy_portal.policy import consents

OUTCOMES = (
    AppointmentStatus.ATTENDED,
    AppointmentStatus.LATE_CANCELLED,
    AppointmentStatus.NO_SHOW,
)


def _online_needs_consent(couple: Couple, modality: str, attendees: str) -> None:
    """An online session waits for the telehealth consent of every partner in it."""
    if modality == Modality.ONLINE:
        consents.require(
            ConsentKind.TELEHEALTH,
            couple,
            consents.attendee_labels(couple, attendees),
            action="An online session",
            field="modality",
        )


def _spans(starts: list[datetime], minutes: int) -> list[tuple[datetime, datetime]]:
    return [(s, s + timedelta(minutes=minutes)) for s in starts]


def _series(actor: User, couple: Couple, data: SessionInput) -> AppointmentSeries:
    assert data.starts_on is not None and data.start_time is not None
    series = AppointmentSeries(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        therapist_id=actor.id,
        every_weeks=1 if data.repeat == Repeat.WEEKLY else data.every_weeks,
        local_start=data.start_time.replace(second=0, microsecond=0),
        zone=actor.practice.timezone,
        first_on=data.starts_on,
        ends_on=data.ends_on,
        occurrences=data.occurrences,
        created_by_id=actor.id,
    )
    db.session.add(series)
    db.session.flush()
    return series


def schedule(
    actor: User, couple: Couple, data: SessionInput, now: datetime | None = None
) -> list[Appointment]:
    """Schedule one session, a series, or record one that happened; returns the sessions made.

    A past time is refused unless the session is recorded; an overlap with the therapist's other
    sessions is refused until `allow_overlap` says the therapist saw the warning.
    """
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    if not couple.is_active:
        raise InvalidState(
            gettext("This couple's file is closed. Reopen it to schedule a session.")
        )
    now = now or utcnow()
    rules.check_attendees(couple, data.attendees)
    rules.check_details(data)
    if not data.recorded:
        _online_needs_consent(couple, data.modality, data.attendees)
    first = rules.first_start(actor, data)
    rules.check_timing(data, first, now)
    starts = rules.series_starts(actor, data, first)
    minutes = data.duration_minutes or 0
    rules.check_overlap(actor, data, _spans(starts, minutes))
    series = _series(actor, couple, data) if len(starts) > 1 else None
    made = [_new(actor, couple, data, start, series) for start in starts]
    db.session.add_all(made)
    db.session.flush()
    audit.record(
        "appointment.record" if data.recorded else "appointment.schedule",
        actor=actor,
        object_type="appointment",
        object_id=made[0].id,
        couple_id=couple.id,
        count=len(made),
        kind=data.modality,
    )
    return made


def _new(
    actor: User,
    couple: Couple,
    data: SessionInput,
    start: datetime,
    series: AppointmentSeries | None,
) -> Appointment:
    minutes = data.duration_minutes or 0
    return Appointment(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        therapist_id=actor.id,
        series_id=series.id if series else None,
        attendees=data.attendees,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        modality=data.modality,
        meeting_link=data.meeting_link.strip() if data.modality == Modality.ONLINE else None,
        details=data.details.strip(),
        service_code=data.service_code,
        status=AppointmentStatus.ATTENDED if data.recorded else AppointmentStatus.SCHEDULED,
        recorded=data.recorded,
        created_by_id=actor.id,
    )


def reschedule(
    actor: User, appointment: Appointment, data: SessionInput, now: datetime | None = None
) -> Appointment:
    """Move a session that has not started, or change how it takes place. The people in it
    and its place in a series stay; a moved session is reminded again at its new time."""
    now = now or utcnow()
    if not scope.can_change_appointment(actor, appointment) or appointment.has_started(now):
        raise InvalidState(gettext("Only a scheduled session that hasn't started can be changed."))
    rules.check_details(data)
    couple = db.session.get(Couple, appointment.couple_id)
    _online_needs_consent(couple, data.modality, appointment.attendees)
    start = rules.first_start(actor, data)
    if start < now:
        raise ValidationFailed(gettext("Choose a time that is still to come."), field="starts_on")
    end = start + timedelta(minutes=data.duration_minutes or 0)
    rules.check_overlap(actor, data, [(start, end)], exclude_id=appointment.id)
    old = appointment.starts_at
    appointment.starts_at, appointment.ends_at = start, end
    appointment.duration_minutes = data.duration_minutes or 0
    appointment.modality = data.modality
    link = data.meeting_link.strip()
    appointment.meeting_link = link if data.modality == Modality.ONLINE else None
    appointment.details = data.details.strip()
    appointment.service_code = data.service_code
    appointment.updated_at = now
    db.session.flush()
    audit.record(
        "appointment.reschedule" if old != start else "appointment.update",
        actor=actor,
        object_type="appointment",
        object_id=appointment.id,
        couple_id=appointment.couple_id,
    )
    return appointment


def cancel(
    actor: User,
    appointment: Appointment,
    *,
    rest_of_series: bool = False,
    now: datetime | None = None,
) -> int:
    """Cancel a scheduled session (and, if asked, the series' later scheduled sessions).
    Returns how many were cancelled. Cancelled sessions get no reminders and leave feeds."""
    now = now or utcnow()
    if not scope.can_change_appointment(actor, appointment):
        raise InvalidState(gettext("Only a scheduled session can be cancelled."))
    ids = [appointment.id]
    if rest_of_series and appointment.series_id is not None:
        ids += db.session.scalars(
            select(Appointment.id).where(
                Appointment.series_id == appointment.series_id,
                Appointment.couple_id == appointment.couple_id,
                Appointment.starts_at > appointment.starts_at,
                Appointment.status == AppointmentStatus.SCHEDULED,
            )
        ).all()
    db.session.execute(
        update(Appointment)
        .where(Appointment.id.in_(ids), Appointment.status == AppointmentStatus.SCHEDULED)
        .values(status=AppointmentStatus.CANCELLED, cancelled_at=now, updated_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    audit.record(
        "appointment.cancel",
        actor=actor,
        object_type="appointment",
        object_id=appointment.id,
        couple_id=appointment.couple_id,
        count=len(ids),
    )
    return len(ids)


def record_outcome(
    actor: User, appointment: Appointment, outcome: str, now: datetime | None = None
) -> Appointment:
    """Mark a session that has started as attended, late-cancelled or a no-show (or correct
    an earlier mark). A cancelled session stays cancelled."""
    now = now or utcnow()
    if outcome not in OUTCOMES:
        raise ValidationFailed(gettext("Choose what happened."), field="outcome")
    if appointment.status == AppointmentStatus.CANCELLED:
        raise InvalidState(gettext("This session was cancelled."))
    # A late cancellation may be noted before the session; the others once it has started.
    if outcome != AppointmentStatus.LATE_CANCELLED and not appointment.has_started(now):
        raise InvalidState(gettext("You can say what happened once the session has started."))
    before = appointment.status
    appointment.status = outcome
    appointment.updated_at = now
    db.session.flush()
    audit.record(
        "appointment.outcome",
        actor=actor,
        object_type="appointment",
        object_id=appointment.id,
        couple_id=appointment.couple_id,
        from_status=before,
        to_status=outcome,
    )
    return appointment
