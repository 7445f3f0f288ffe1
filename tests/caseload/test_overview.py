"""The couple at a glance, and the caseload search by partner email."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import login, make_couple, partner
from tests.notes.factories import make_note
from tests.today import scenario
from therapy_portal.caseload import overview
from therapy_portal.extensions import db
from therapy_portal.measures import checkins
from therapy_portal.models import AuditEvent, Couple, User


@pytest.fixture
def therapist_client(client, world):
    login(client, world.emails["therapist"])
    return client


def test_search_finds_a_couple_by_a_partners_email_in_any_case(app, world, therapist_client):
    email = world.emails["partner_b"]
    response = therapist_client.post("/couples", data={"q": email.upper(), "status": "all"})
    assert response.status_code == 302 and "@" not in response.headers["Location"]
    assert b"Couple One" in therapist_client.get("/couples").data
    therapist_client.post("/couples", data={"q": world.emails["other_partner"], "status": "all"})
    assert b"No couples match your search." in therapist_client.get("/couples").data


def test_today_finds_a_couple_through_the_caseload_search(world, therapist_client):
    therapist_client.post("/couples", data={"q": world.emails["partner_a"], "status": "all"})
    assert b"Couple One" in therapist_client.get("/couples").data


def _answer(schedule, who, total_each: int):
    answers = {str(i): total_each for i in range(1, 5)}
    return checkins.submit_checkin(who, schedule, answers)


def _glance_world(app, world):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        made = scenario.busy_day(therapist, couple)
        _answer(made["checkin"], partner(couple, "A"), 4)
        _answer(made["checkin"], partner(couple, "B"), 2)
        make_note(therapist, couple, signed=True)
        ids = {k: v.id for k, v in made.items()}
        db.session.commit()
        return ids


def test_the_overview_shows_partners_scores_gap_homework_note_and_alerts(
    app, world, therapist_client
):
    ids = _glance_world(app, world)
    url = f"/couples/{world.couple_ids['c1']}"
    page = therapist_client.get(url).get_data(as_text=True)
    for label in ("Overview", "Homework", "Check-ins", "Sessions &amp; notes", "Records"):
        assert f">{label}</a>" in page
    assert 'aria-current="page">Overview' in page
    assert "Last signed in: not yet" in page
    assert "CSI-4" in page and "<polyline" in page
    assert ">16<" in page and ">8<" in page  # each partner's latest CSI-4 total
    assert '>8<span class="visually-hidden"> points between partners' in page  # the gap
    assert f"/checkins/responses/{ids['alert']}" in page  # the open alert links to its answer
    assert "over the last 8 weeks" in page and "1 to review" in page and "1 overdue" in page
    assert "signed by" in page
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "couple.view", AuditEvent.couple_id == world.couple_ids["c1"]
            )
        )


def test_an_empty_overview_says_what_to_do(therapist_client, world):
    page = therapist_client.get(f"/couples/{world.couple_ids['c1']}").get_data(as_text=True)
    assert "No check-in answers yet." in page and "Schedule a check-in" in page
    assert "No signed note yet." in page and "No open safety alerts" in page


def test_sparkline_points_fit_the_box():
    assert overview.sparkline([]) == ""
    points = overview.sparkline([3, 9, 6])
    xs = [float(p.split(",")[0]) for p in points.split()]
    ys = [float(p.split(",")[1]) for p in points.split()]
    assert xs == [0.0, 48.0, 96.0] and min(ys) >= 2 and max(ys) <= 22


def test_the_overview_costs_the_same_for_2_and_200_couples(
    app, world, therapist_client, count_queries
):
    _glance_world(app, world)
    # Building 198 couples can take over a minute here: no session touch in between.
    app.config["SESSION_TOUCH_SECONDS"] = 3600
    url = f"/couples/{world.couple_ids['c1']}"
    therapist_client.get(url)
    with count_queries() as small:
        assert therapist_client.get(url).status_code == 200
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        for _ in range(198):
            scenario.busy_day(therapist, make_couple(therapist))
        db.session.commit()
    with count_queries() as large:
        assert therapist_client.get(url).status_code == 200
    # 13, plus consents (2), the current treatment plan (1), outcome alerts and homework
    # ratings (a select each) and the audit event of showing the alerts (3 statements).
    assert large.count == small.count <= 21, (small.count, large.statements)
