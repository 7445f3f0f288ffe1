"""Check-ins on the therapist's side: scheduling and stopping them, a couple's schedules.

The partner's side (what is due, answering, one's own history) is in `checkins`. Every function
takes the acting user, asks the policy, writes the audit event and flushes; the request boundary
commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.measures import INSTRUMENTS, Instrument, goal_links
from therapy_portal.measures.safety import open_safety_alerts
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.measures import MeasureSchedule
from therapy_portal.timezones import local_today

__all__ = [
    "couple_schedules",
    "local_today",
    "offered_instruments",
    "open_safety_alerts",
    "schedule_checkin",
    "stop_schedule",
]

MAX_INTERVAL_WEEKS = 8


def offered_instruments() -> list[Instrument]:
    """Instruments partners can be sent as a form: those whose item wording may be shipped."""
    return [inst for inst in INSTRUMENTS.values() if inst.display_text]


def _offered(instrument: str) -> Instrument:
    inst = INSTRUMENTS.get(instrument)
    if inst is None:
        raise ValidationFailed(
            gettext("Choose one of the listed questionnaires."), field="instrument"
        )
    if not inst.display_text:
        raise ValidationFailed(
            f"The {inst.name} can't be sent to partners as a form: its wording has no open "
            "licence, so Therapy Portal ships only its scoring.",
            field="instrument",
        )
    return inst


def _refuse_a_second(couple: Couple, inst: Instrument) -> None:
    """One running check-in per instrument and couple."""
    running = db.session.scalar(
        select(MeasureSchedule.id).where(
            MeasureSchedule.couple_id == couple.id,
            MeasureSchedule.instrument == inst.key,
            MeasureSchedule.stopped_at.is_(None),
        )
    )
    if running is not None:
        raise Conflict(
            f"This couple already has a running {inst.name} check-in. Stop it first to change "
            "its cadence or start date.",
            field="instrument",
        )


def schedule_checkin(
    actor: User,
    couple: Couple,
    instrument: str,
    interval_weeks: int,
    starts_on: date,
    goal_id: int | None = None,
) -> MeasureSchedule:
    """Start a check-in for a couple: both partners answer ``instrument`` every N weeks;
    with ``goal_id``, linked to that goal of the couple's current treatment plan."""
    if not policy.can_view_measures(actor, couple):
        raise NotAllowed(gettext("not found"))
    if not couple.is_active:
        raise InvalidState(
            gettext("This couple is closed. Reopen the couple to schedule check-ins.")
        )
    inst = _offered(instrument)
    if not 1 <= interval_weeks <= MAX_INTERVAL_WEEKS:
        raise ValidationFailed(
            f"Choose every 1 to {MAX_INTERVAL_WEEKS} weeks.", field="interval_weeks"
        )
    _refuse_a_second(couple, inst)
    goal_links.check_goal(actor, couple.id, goal_id)
    schedule = MeasureSchedule(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        instrument=instrument,
        interval_weeks=interval_weeks,
        starts_on=starts_on,
        created_by_id=actor.id,
    )
    db.session.add(schedule)
    db.session.flush()
    goal_links.link_new_work(actor, couple.id, goal_id, schedule_id=schedule.id)
    audit.record(
        "checkin.schedule",
        actor=actor,
        object_type="measure_schedule",
        object_id=schedule.id,
        couple_id=couple.id,
        instrument=instrument,
    )
    return schedule


def stop_schedule(actor: User, schedule: MeasureSchedule) -> None:
    """Stop a check-in. Answers already given stay in the couple's progress."""
    if not schedule.active:
        raise InvalidState(gettext("This check-in is already stopped."))
    schedule.stopped_at = utcnow()
    audit.record(
        "checkin.stop",
        actor=actor,
        object_type="measure_schedule",
        object_id=schedule.id,
        couple_id=schedule.couple_id,
        instrument=schedule.instrument,
    )


def couple_schedules(actor: User, couple: Couple) -> list[MeasureSchedule]:
    """A couple's schedules, running ones first (the loader already scoped the couple)."""
    if not policy.can_view_measures(actor, couple):
        raise NotAllowed(gettext("not found"))
    return list(
        db.session.scalars(
            select(MeasureSchedule)
            .where(MeasureSchedule.couple_id == couple.id)
            .order_by(
                MeasureSchedule.stopped_at.is_not(None),
                MeasureSchedule.created_at.desc(),
                MeasureSchedule.id.desc(),
            )
        )
    )
