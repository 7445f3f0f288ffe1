"""Access expectations for check-ins, progress and safety alerts."""

from __future__ import annotations

from datetime import timedelta

from tests import clock
from tests.access.core import PARTNERS, THERAPIST_C1, only
from tests.factories import World
from tests.measures.factories import make_response, make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import OutcomeAlert, OutcomeKind, SafetyAlert

EXPECTED = {
    "measures.progress_page": THERAPIST_C1,
    "measures.new_schedule": THERAPIST_C1,
    "measures.stop_schedule": THERAPIST_C1,
    "measures.response_detail": THERAPIST_C1,
    "measures.acknowledge_alert": THERAPIST_C1,
    "measures.dismiss_outcome": THERAPIST_C1,
    "measures.partner_index": PARTNERS,
    # Only the two partners of C1 may open C1's check-in (the other couple's partner: 404).
    "measures.answer": only(("partner_a", "partner_b")),
    # A partner stops their own couple's maintenance check-ins (the first press asks first).
    "measures.stop_maintenance": only(("partner_a", "partner_b")),
}


def params(world: World) -> dict:
    couple = db.session.get(Couple, world.couple_ids["c1"])
    partner_a = db.session.get(User, world.ids["partner_a"])
    schedule = make_schedule(couple, starts_on=clock.today() - timedelta(days=1))
    phq9 = make_schedule(couple, instrument="phq9", starts_on=clock.today() - timedelta(days=1))
    response = make_response(schedule, partner_a, 0, total=12)
    flagged = make_response(phq9, partner_a, 0, answers=[0, 0, 0, 0, 0, 0, 0, 0, 2])
    alert = SafetyAlert(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        partner_id=partner_a.id,
        response_id=flagged.id,
        kind="phq9_item9",
    )
    db.session.add(alert)
    outcome = OutcomeAlert(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        partner_id=partner_a.id,
        instrument="csi4",
        kind=OutcomeKind.WORSENING,
        figures={"baseline": 15, "latest": 10, "change": -5, "rci": -3.21, "needed": 3.06},
        response_id=response.id,
    )
    db.session.add(outcome)
    db.session.commit()
    return {
        "checkin_id": schedule.id,
        "measure_response_id": response.id,
        "safety_alert_id": alert.id,
        "outcome_alert_id": outcome.id,
    }
