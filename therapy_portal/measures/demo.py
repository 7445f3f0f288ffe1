"""Demo check-ins: weekly CSI-4 for one couple, fortnightly PHQ-9 with an open safety alert, and
a second couple's weekly CSI-4 in which one partner reliably worsens (an open outcome alert)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS, checkins, score
from therapy_portal.measures.outcome_alerts import evaluate_after_checkin
from therapy_portal.measures.safety import raise_safety_alert
from therapy_portal.models.measures import MeasureSchedule
from therapy_portal.timezones import practice_today

# Weekly CSI-4 totals, oldest first: partner A improves reliably, partner B stays steady.
CSI4_TOTALS = ([9, 10, 12, 12, 15, 16], [14, 13, 15, 15, 16, 17])
# Fortnightly PHQ-9 answers per partner; partner A's last answer has item 9 = 1.
PHQ9_ANSWERS = (
    ([1, 2, 1, 2, 1, 1, 1, 0, 0], [2, 2, 2, 2, 1, 2, 1, 1, 1]),
    ([1, 1, 0, 1, 0, 1, 0, 0, 0], [1, 0, 0, 1, 0, 1, 0, 0, 0]),
)
# Okafor & Lindqvist's weekly CSI-4: partner A steady, partner B 15 -> 10 (more than the 3.06
# points a reliable change needs): "Reliable worsening (computed)" for partner B.
WORSENING_TOTALS = ([13, 13, 14, 13], [15, 14, 12, 10])


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
    response = checkins.response_row(
        partner, schedule, index, INSTRUMENTS[schedule.instrument], result, taken
    )
    db.session.add(response)
    db.session.flush()
    if result.flags:
        raise_safety_alert(partner, response, result.flags)
    evaluate_after_checkin(partner, response)


def seed_checkins(world: dict) -> None:
    today = practice_today(world["staff"][1])
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


def seed_outcome_alert(world: dict) -> None:
    """Okafor & Lindqvist answer a weekly CSI-4 too; partner B's answers reliably worsen."""
    today = practice_today(world["staff"][1])
    therapist = world["staff"][1]
    okafor, partners = world["couples"][1]
    weekly = MeasureSchedule(
        practice_id=okafor.practice_id,
        couple_id=okafor.id,
        instrument="csi4",
        interval_weeks=1,
        created_by_id=therapist.id,
        starts_on=today - timedelta(weeks=len(WORSENING_TOTALS[0])),
    )
    db.session.add(weekly)
    db.session.flush()
    for index in range(len(WORSENING_TOTALS[0])):
        for partner, totals in zip(partners, WORSENING_TOTALS, strict=True):
            _respond(weekly, partner, index, _answers_for_total("csi4", totals[index]))
