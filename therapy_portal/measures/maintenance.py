"""After the last session: a maintenance plan of check-ins that runs while the couple is closed.

Closing a couple can start one: a CSI-4 check-in every 4 weeks for 6 months (the first four
weeks after closing, the last period starting at most 26 weeks after closing), marked
``maintenance`` so the closed couple's partners can still answer it. Either partner can stop
it at any time from their check-ins page; the therapist sees who stopped it and when. Every
step is audited. The regular check-ins that were running stop when the plan starts.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, CoupleStatus, User, utcnow
from therapy_portal.models.measures import MeasureSchedule

INSTRUMENT = "csi4"
INTERVAL_WEEKS = 4
PLAN_WEEKS = 26  # six months
SUMMARY = "a CSI-4 check-in every 4 weeks for 6 months"


def start_maintenance_plan(actor: User, couple: Couple, closed_on: date) -> MeasureSchedule:
    """Stop the couple's running check-ins and start the maintenance check-ins (audited)."""
    if not policy.can_view_measures(actor, couple):
        raise NotAllowed(gettext("not found"))
    now = utcnow()
    for running in db.session.scalars(
        select(MeasureSchedule).where(
            MeasureSchedule.couple_id == couple.id, MeasureSchedule.stopped_at.is_(None)
        )
    ):
        running.stopped_at, running.stopped_by_id = now, actor.id
        audit.record(
            "checkin.stop",
            actor=actor,
            object_type="measure_schedule",
            object_id=running.id,
            couple_id=couple.id,
            instrument=running.instrument,
        )
    schedule = MeasureSchedule(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        instrument=INSTRUMENT,
        interval_weeks=INTERVAL_WEEKS,
        starts_on=closed_on + timedelta(weeks=INTERVAL_WEEKS),
        ends_on=closed_on + timedelta(weeks=PLAN_WEEKS),
        maintenance=True,
        created_by_id=actor.id,
    )
    db.session.add(schedule)
    db.session.flush()
    audit.record(
        "maintenance.start",
        actor=actor,
        object_type="measure_schedule",
        object_id=schedule.id,
        couple_id=couple.id,
        instrument=INSTRUMENT,
    )
    return schedule


def running_plans(actor: User) -> list[MeasureSchedule]:
    """The partner's couple's maintenance check-ins that are still running (one query)."""
    return list(
        db.session.scalars(
            policy.schedules_for_partner(actor)
            .where(MeasureSchedule.maintenance, MeasureSchedule.stopped_at.is_(None))
            .order_by(MeasureSchedule.id)
        )
    )


def stop_maintenance(actor: User, schedule: MeasureSchedule) -> None:
    """A partner stops the maintenance check-ins, for both partners, at once (audited)."""
    if not schedule.maintenance:
        raise InvalidState(gettext("Only your therapist can stop this check-in."))
    if not schedule.active:
        raise InvalidState(gettext("These check-ins were already stopped."))
    schedule.stopped_at, schedule.stopped_by_id = utcnow(), actor.id
    audit.record(
        "maintenance.stop",
        actor=actor,
        object_type="measure_schedule",
        object_id=schedule.id,
        couple_id=schedule.couple_id,
        instrument=schedule.instrument,
    )


def answerable(schedule: MeasureSchedule) -> bool:
    """Whether the couple's status lets partners answer: an active couple, or a maintenance
    check-in of a closed one."""
    return schedule.couple.status == CoupleStatus.ACTIVE or schedule.maintenance
