"""Session reminders through the outbox: 24 hours and/or 2 hours before, each person's own choice.

The email says only "You have a session on … at …" and links to the person's sessions page: no
names, no meeting link, no details (the link is shown only after signing in). Each reminder is
kept in `appointment_reminder` and the outbox's dedupe key, both keyed by the session's start,
so running `send_reminders` any number of times sends each once, and a moved session is reminded
again at its new time. The periodic task runs every 15 minutes; a reminder is due from its lead
time until the session starts, and when both are due (a session booked at short notice) only
the nearer one goes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from therapy_portal.extensions import db
from therapy_portal.mail import queue_email
from therapy_portal.models import Couple, CoupleStatus, Practice, User, utcnow
from therapy_portal.models.appointments import (
    Appointment,
    AppointmentReminder,
    AppointmentStatus,
    ReminderKind,
    ReminderPreference,
)
from therapy_portal.policy.appointments import attending_members
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates

SUBJECT = "Session reminder"
BODY = (
    "Hello,\n\nYou have a session on {when}.\n\n"
    "See your sessions, and how to join, in Therapy Portal:\n{base}/my-sessions"
)
LEADS = {ReminderKind.DAY_BEFORE: timedelta(hours=24), ReminderKind.TWO_HOURS: timedelta(hours=2)}


def reminder_choice(user: User) -> tuple[bool, bool]:
    """(24 hours before, 2 hours before): the person's own choice, else the practice's."""
    own = db.session.scalar(select(ReminderPreference).where(ReminderPreference.user_id == user.id))
    if own is not None:
        return own.remind_24h, own.remind_2h
    return user.practice.remind_24h, user.practice.remind_2h


def set_reminder_choice(user: User, remind_24h: bool, remind_2h: bool) -> None:
    """Keep a person's own reminder choice (from now on, for every session of theirs)."""
    own = db.session.scalar(select(ReminderPreference).where(ReminderPreference.user_id == user.id))
    if own is None:
        own = ReminderPreference(practice_id=user.practice_id, user_id=user.id)
        db.session.add(own)
    own.remind_24h, own.remind_2h = remind_24h, remind_2h
    own.updated_at = utcnow()
    db.session.flush()


def when_text(start: datetime, zone_name: str | None) -> str:
    return dates.when(start, practice_zone(zone_name), with_zone=True)


def due_kind(start: datetime, chosen: set[str], now: datetime) -> str | None:
    """The reminder due now for a session starting at `start`: the nearest chosen lead passed."""
    due = [kind for kind in chosen if start - LEADS[ReminderKind(kind)] <= now < start]
    return min(due, key=lambda kind: LEADS[ReminderKind(kind)]) if due else None


def _upcoming(now: datetime) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .join(Couple, Couple.id == Appointment.couple_id)
            .where(
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.starts_at > now,
                Appointment.starts_at <= now + max(LEADS.values()),
                Couple.status == CoupleStatus.ACTIVE,
            )
            .options(selectinload(Appointment.couple).selectinload(Couple.members))
        )
    )


def _practices(appointments: list[Appointment]) -> dict[int, Practice]:
    ids = {a.practice_id for a in appointments}
    return {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))}


def _choices(
    appointments: list[Appointment], practices: dict[int, Practice]
) -> dict[int, set[str]]:
    """Each partner's chosen reminders: their own choice, else their practice's defaults."""
    users = {m.user_id for a in appointments for m in a.couple.members}
    own = {
        p.user_id: p
        for p in db.session.scalars(
            select(ReminderPreference).where(ReminderPreference.user_id.in_(users))
        )
    }
    chosen = {}
    for appointment in appointments:
        for member in appointment.couple.members:
            source = own.get(member.user_id) or practices[appointment.practice_id]
            chosen[member.user_id] = {
                kind for kind, on in (("24h", source.remind_24h), ("2h", source.remind_2h)) if on
            }
    return chosen


def queue_session_reminders(now: datetime | None = None) -> int:
    """Queue each due reminder once. Returns how many were queued. Five statements to read."""
    now = now or utcnow()
    appointments = _upcoming(now)
    if not appointments:
        return 0
    practices = _practices(appointments)
    chosen = _choices(appointments, practices)
    sent = set(
        db.session.execute(
            select(
                AppointmentReminder.appointment_id,
                AppointmentReminder.user_id,
                AppointmentReminder.kind,
                AppointmentReminder.starts_at,
            ).where(AppointmentReminder.appointment_id.in_([a.id for a in appointments]))
        )
    )
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queued = 0
    for appointment in appointments:
        for member in attending_members(appointment.couple.members, appointment):
            user = member.user
            kind = due_kind(appointment.starts_at, chosen.get(user.id, set()), now)
            if kind is None or not (user.active and user.has_password):
                continue
            if (appointment.id, user.id, kind, appointment.starts_at) in sent:
                continue
            body = BODY.format(
                when=when_text(appointment.starts_at, practices[appointment.practice_id].timezone),
                base=base,
            )
            queued += _queue(appointment, user, kind, body)
    db.session.flush()
    return queued


def _queue(appointment: Appointment, user: User, kind: str, body: str) -> int:
    stamp = int(appointment.starts_at.timestamp())
    try:
        with db.session.begin_nested():
            email = queue_email(
                user.email,
                SUBJECT,
                body,
                kind="session_reminder",
                practice_id=appointment.practice_id,
                dedupe_key=f"appt:{kind}:{appointment.id}:{user.id}:{stamp}",
            )
            if email is None:
                return 0
            db.session.add(
                AppointmentReminder(
                    practice_id=appointment.practice_id,
                    appointment_id=appointment.id,
                    user_id=user.id,
                    kind=kind,
                    starts_at=appointment.starts_at,
                )
            )
    except IntegrityError:  # another worker queued it at the same moment
        return 0
    return 1


def session_reminder_hook() -> int:
    return queue_session_reminders()
