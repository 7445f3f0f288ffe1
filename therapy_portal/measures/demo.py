"""Demo check-ins: weekly CSI-4 for one couple, fortnightly PHQ-9 with an open safety alert."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from therapy_portal import demo
from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS, score
from therapy_portal.measures.safety import raise_safety_alert
from therapy_portal.models import utcnow
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule

# Weekly CSI-4 totals, oldest first: partner A improves reliably, partner B stays steady.
CSI4_TOTALS = ([9, 10, 12, 12, 15, 16], [14, 13, 15, 15, 16, 17])
# Fortnightly PHQ-9 answers per partner; partner A's last answer has item 9 = 1.
PHQ9_ANSWERS = (
    ([1, 2, 1, 2, 1, 1, 1, 0, 0], [2, 2, 2, 2, 1, 2, 1, 1, 1]),
    ([1, 1, 0, 1, 0, 1, 0, 0, 0], [1, 0, 0, 1, 0, 1, 0, 0, 0]),
)


def _answers_for_total(key: str, total: int) -> list[int]:
    answers, left = [], total
    for item in INSTRUMENTS[key].items:
        value = min(item.max, left)
        answers.append(value)
        left -= value
    return answers


def _respond(schedule: MeasureSchedule, partner, index: int, answers: list[int]) -> None:
    result = score(schedule.instrument, answers)
    taken = datetime.combine(
        schedule.period_start(index) + timedelta(days=1), time(19, 30), tzinfo=UTC
    )
    response = MeasureResponse(
        practice_id=schedule.practice_id,
        couple_id=schedule.couple_id,
        schedule_id=schedule.id,
        partner_id=partner.id,
        period_index=index,
        instrument=schedule.instrument,
        answers={str(n): v for n, v in enumerate(result.items, start=1)},
        total=result.total,
        band=result.band,
        distressed=result.distressed,
        mean=result.mean,
        flags=list(result.flags),
        taken_at=taken,
    )
    db.session.add(response)
    db.session.flush()
    if result.flags:
        raise_safety_alert(partner, response, result.flags)


@demo.demo_hook
def seed_checkins(world: dict) -> None:
    today = utcnow().date()
    therapist = world["staff"][1]
    (rivera, rivera_partners), (okafor, okafor_partners) = world["couples"][:2]

    weekly = MeasureSchedule(
        practice_id=rivera.practice_id,
        couple_id=rivera.id,
        instrument="csi4",
        interval_weeks=1,
        created_by_id=therapist.id,
        starts_on=today - timedelta(weeks=len(CSI4_TOTALS[0])),
    )
    db.session.add(weekly)
    db.session.flush()
    for partner, totals in zip(rivera_partners, CSI4_TOTALS, strict=True):
        for index, total in enumerate(totals):
            _respond(weekly, partner, index, _answers_for_total("csi4", total))

    fortnightly = MeasureSchedule(
        practice_id=okafor.practice_id,
        couple_id=okafor.id,
        instrument="phq9",
        interval_weeks=2,
        created_by_id=therapist.id,
        starts_on=today - timedelta(weeks=4),
    )
    db.session.add(fortnightly)
    db.session.flush()
    for partner, answers in zip(okafor_partners, PHQ9_ANSWERS, strict=True):
        for index, items in enumerate(answers):
            _respond(fortnightly, partner, index, items)
