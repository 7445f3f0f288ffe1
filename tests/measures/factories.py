"""Check-in test data: schedules and scored responses. Each flushes; callers commit when needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tests import clock
from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS, checkins, score
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule


def answers_for_total(instrument: str, total: int) -> list[int]:
    """Printed item scores reaching ``total``, filled greedily from item 1 (no reverse keying)."""
    answers, left = [], total
    for item in INSTRUMENTS[instrument].items:
        value = min(item.max, left)
        answers.append(value)
        left -= value
    assert left == 0, f"{instrument} cannot reach {total}"
    return answers


def make_schedule(
    couple: Couple,
    *,
    instrument: str = "csi4",
    interval_weeks: int = 1,
    starts_on: date | None = None,
    stopped: bool = False,
) -> MeasureSchedule:
    schedule = MeasureSchedule(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        instrument=instrument,
        interval_weeks=interval_weeks,
        starts_on=starts_on or clock.today() - timedelta(days=1),
        stopped_at=datetime.now(UTC) if stopped else None,
    )
    db.session.add(schedule)
    db.session.flush()
    return schedule


def make_response(
    schedule: MeasureSchedule,
    partner: User,
    period_index: int,
    *,
    total: int | None = None,
    answers: list[int] | None = None,
) -> MeasureResponse:
    """A response stored directly (bypassing the service), taken the day its period opens."""
    if answers is None:
        answers = answers_for_total(schedule.instrument, total if total is not None else 10)
    result = score(schedule.instrument, answers)
    taken = datetime.combine(schedule.period_start(period_index), time(12), tzinfo=UTC)
    response = checkins.response_row(
        partner, schedule, period_index, INSTRUMENTS[schedule.instrument], result, taken
    )
    db.session.add(response)
    db.session.flush()
    return response
