"""Outcome alerts over HTTP: shown on Today and the overview with their numbers, dismissed with
a reason (a clear message when it is missing), never shown to partners or other therapists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import clock
from tests.factories import login
from tests.measures.factories import answers_for_total, make_response, make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, User
from therapy_portal.models.measures import OutcomeAlert

NUMBERS = "went from 15 at the first check-in to 10 (5 points worse; more than 3.06 points"


@pytest.fixture
def worsened(app, world, client):
    """Partner A's CSI-4 went from 15 to 10 through the check-in form: an alert is raised."""
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        a = db.session.get(User, world.ids["partner_a"])
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(weeks=1))
        make_response(schedule, a, 0, total=15)
        db.session.commit()
        schedule_id = schedule.id
    login(client, world.emails["partner_a"])
    answers = answers_for_total("csi4", 10)
    form = {f"item_{n}": str(v) for n, v in enumerate(answers, start=1)}
    assert client.post(f"/checkins/{schedule_id}", data=form).status_code == 302
    page = client.get("/checkins").get_data(as_text=True)
    assert "worsening" not in page and "Reliable" not in page  # never on a partner's page
    client.post("/logout")
    with app.app_context():
        return db.session.scalar(select(OutcomeAlert.id))


def test_today_and_the_overview_show_the_alert_with_its_numbers(world, client, worsened):
    login(client, world.emails["therapist"])
    today = client.get("/today").get_data(as_text=True)
    assert "Outcome alerts: <strong>1</strong>" in today
    assert "Partner A, Reliable worsening (computed)" in today and NUMBERS in today
    overview = client.get(f"/couples/{world.couple_ids['c1']}").get_data(as_text=True)
    assert "Partner A: Reliable worsening (computed)" in overview and NUMBERS in overview
    assert f"/outcome-alerts/{worsened}/dismiss" in overview


def test_dismissing_without_a_reason_says_so_and_keeps_the_alert(app, world, client, worsened):
    login(client, world.emails["therapist"])
    url = f"/outcome-alerts/{worsened}/dismiss"
    page = client.get(url).get_data(as_text=True)
    assert NUMBERS in page and "Jacobson and Truax" in page
    response = client.post(url, data={"reason": "   "})
    assert response.status_code == 422
    assert "Please say why you are dismissing this alert" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutcomeAlert, worsened).dismissed_at is None


def test_dismissing_with_a_reason_hides_it_and_is_audited(app, world, client, worsened):
    login(client, world.emails["therapist"])
    assert "Outcome alerts: <strong>1</strong>" in client.get("/today").get_data(as_text=True)
    response = client.post(
        f"/outcome-alerts/{worsened}/dismiss", data={"reason": "Talked it through; a hard week."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/couples/{world.couple_ids['c1']}")
    assert "Outcome alerts: <strong>0</strong>" in client.get("/today").get_data(as_text=True)
    with app.app_context():
        alert = db.session.get(OutcomeAlert, worsened)
        assert alert.dismiss_reason == "Talked it through; a hard week."
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"outcome_alert.raise", "outcome_alert.show", "outcome_alert.dismiss"} <= actions
        # The reason is clinical text: it is never copied into the audit trail.
        details = [str(e.detail) for e in db.session.scalars(select(AuditEvent))]
        assert not any("hard week" in d for d in details)


def test_another_therapist_gets_404_and_nothing_changes(app, world, client, worsened):
    login(client, world.emails["other_therapist"])
    url = f"/outcome-alerts/{worsened}/dismiss"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "not mine"}).status_code == 404
    assert "Outcome alerts: <strong>0</strong>" in client.get("/today").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutcomeAlert, worsened).dismissed_at is None
