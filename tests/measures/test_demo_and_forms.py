"""Demo check-ins and the schedule form's date rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import clock
from tests.factories import login
from therapy_portal import demo
from therapy_portal.extensions import db
from therapy_portal.measures import demo as measures_demo
from therapy_portal.measures import safety
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule


def test_demo_adds_weekly_csi4_history_and_an_open_safety_alert(ctx, monkeypatch):
    monkeypatch.setattr(demo, "_HOOKS", [measures_demo.seed_checkins])
    world = demo.seed()
    assert db.session.scalar(select(func.count()).select_from(MeasureSchedule)) == 2
    totals = db.session.scalars(
        select(MeasureResponse.total)
        .where(MeasureResponse.instrument == "csi4")
        .order_by(MeasureResponse.id)
    ).all()
    assert totals == [*measures_demo.CSI4_TOTALS[0], *measures_demo.CSI4_TOTALS[1]]
    (alert,) = safety.open_safety_alerts(world["staff"][1])
    assert (alert.couple_name, alert.partner_label) == ("Okafor & Lindqvist", "A")


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-29, "The start date can be at most 28 days ago."),
        (366, "The start date must be within the next year."),
    ],
)
def test_schedule_start_date_must_be_recent_or_within_a_year(app, client, world, days, message):
    login(client, world.emails["therapist"])
    response = client.post(
        f"/couples/{world.couple_ids['c1']}/checkins/new",
        data={
            "instrument": "csi4",
            "interval_weeks": "1",
            "starts_on": (clock.today() + timedelta(days=days)).isoformat(),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert _checked_value(html) == "csi4"  # the choice made is kept


def _checked_value(html: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="instrument"' in tag and " checked" in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    return None


def test_demo_has_a_couple_with_a_reliable_worsening_alert_and_homework_ratings(ctx):
    from therapy_portal.homework.services import quality_history
    from therapy_portal.measures.outcome_alerts import open_outcome_alerts
    from therapy_portal.models import Couple

    world = demo.seed()
    therapist = world["staff"][1]
    alerts = {(a.kind, a.instrument): a for a in open_outcome_alerts(therapist)}
    # The PHQ-9 answers above also widen the partners' gap (5 -> 11 points, 5.52 needed).
    assert set(alerts) == {("worsening", "csi4"), ("widening_gap", "phq9")}
    alert = alerts[("worsening", "csi4")]
    assert (alert.couple_name, alert.who, alert.title) == (
        "Okafor & Lindqvist",
        "Partner B",
        "Reliable worsening (computed)",
    )
    assert alert.figures["baseline"] == 15 and alert.figures["latest"] == 10
    okafor = db.session.scalar(select(Couple).where(Couple.display_name == "Okafor & Lindqvist"))
    ratings = quality_history(therapist, okafor)
    assert [r.label for r in ratings["A"]] == ["Fully"]
    assert [r.label for r in ratings["B"]] == ["Partly"]
