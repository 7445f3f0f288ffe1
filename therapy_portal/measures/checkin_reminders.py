"""Check-in reminders through the outbox: one per partner per open, unanswered period."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from therapy_portal.extensions import db
from therapy_portal.i18n import N_
from therapy_portal.mail import queue_email_for
from therapy_portal.measures.services import local_today
from therapy_portal.models import Couple, CoupleStatus, Practice
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule

# Catalogue messages, written in each partner's language when queued (`queue_email_for`).
REMINDER_SUBJECT = N_("You have a check-in waiting")
REMINDER_BODY = N_(
    "Hello,\n\nYou have something new in Therapy Portal: a short check-in is "
    "waiting for you.\n\n%(link)s"
)


def queue_checkin_reminders(now: datetime | None = None) -> int:
    """Queue one reminder per partner per open, unanswered period. Idempotent (dedupe key)."""
    schedules = list(
        db.session.scalars(
            select(MeasureSchedule)
            .join(Couple, Couple.id == MeasureSchedule.couple_id)
            .where(
                MeasureSchedule.stopped_at.is_(None),
                # A closed couple's maintenance check-ins still run (`measures.maintenance`).
                (Couple.status == CoupleStatus.ACTIVE) | MeasureSchedule.maintenance,
            )
            .options(joinedload(MeasureSchedule.couple).selectinload(Couple.members))
        )
    )
    if not schedules:
        return 0
    current = _current_periods(schedules, now)
    answered = _answered(current)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queued = 0
    for schedule in schedules:
        index = current.get(schedule.id)
        if index is None:
            continue
        for member in schedule.couple.members:
            user = member.user
            if not (user.active and user.has_password) or (schedule.id, user.id, index) in answered:
                continue
            email = queue_email_for(
                user,
                REMINDER_SUBJECT,
                REMINDER_BODY,
                link=f"{base}/checkins",
                kind="checkin_reminder",
                practice_id=schedule.practice_id,
                dedupe_key=f"checkin:{schedule.id}:{user.id}:{index}",
            )
            queued += email is not None
    db.session.flush()
    return queued


def _current_periods(schedules: list[MeasureSchedule], now: datetime | None) -> dict[int, int]:
    """Each started schedule's current period, by the date in its practice's timezone."""
    zones = dict(
        db.session.execute(
            select(Practice.id, Practice.timezone).where(
                Practice.id.in_({s.practice_id for s in schedules})
            )
        ).all()
    )
    current = {}
    for schedule in schedules:
        index = schedule.period_index(local_today(zones.get(schedule.practice_id), now))
        if index is not None:
            current[schedule.id] = index
    return current


def _answered(current: dict[int, int]) -> set[tuple[int, int, int]]:
    """(schedule, partner, period) of the answers already given in those periods."""
    if not current:
        return set()
    rows = db.session.execute(
        select(
            MeasureResponse.schedule_id, MeasureResponse.partner_id, MeasureResponse.period_index
        ).where(
            tuple_(MeasureResponse.schedule_id, MeasureResponse.period_index).in_(
                list(current.items())
            )
        )
    )
    return {tuple(row) for row in rows}


def checkin_reminder_hook() -> int:
    return queue_checkin_reminders()
