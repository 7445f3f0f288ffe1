"""After the last session: closing a couple can start maintenance check-ins (every 4 weeks for
6 months) that the closed couple's partners answer and either partner can stop."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests import clock
from tests.factories import login
from tests.measures.factories import make_schedule
from therapy_portal.caseload import services as caseload
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.measures import checkins, maintenance
from therapy_portal.models import AuditEvent, Couple, CoupleStatus
from therapy_portal.models.measures import MeasureSchedule


def _at(day) -> datetime:
    return datetime.combine(day, time(17), tzinfo=UTC)


def _plan(setup) -> MeasureSchedule:
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    return db.session.scalar(select(MeasureSchedule).where(MeasureSchedule.maintenance))


def test_closing_with_a_plan_starts_check_ins_every_4_weeks_for_6_months(setup):
    regular = make_schedule(setup.couple)
    plan = _plan(setup)
    today = clock.today()
    assert setup.couple.status == CoupleStatus.CLOSED
    assert regular.stopped_at is not None  # the regular check-ins stop
    assert (plan.instrument, plan.interval_weeks) == ("csi4", 4)
    assert plan.starts_on == today + timedelta(weeks=4)
    assert plan.ends_on == today + timedelta(weeks=26)
    opens = [plan.period_start(i) for i in range(10) if plan.period_start(i) <= plan.ends_on]
    assert len(opens) == 6  # weeks 4, 8, ..., 24 after closing
    assert plan.period_index(plan.ends_on + timedelta(weeks=3)) is None  # over
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert {"couple.close", "checkin.stop", "maintenance.start"} <= set(actions)


def test_closing_without_a_plan_starts_nothing(setup):
    caseload.close_couple(setup.therapist, setup.couple)
    assert db.session.scalar(select(MeasureSchedule)) is None


def test_the_closed_couples_partner_answers_a_maintenance_check_in(setup):
    plan = _plan(setup)
    now = _at(plan.starts_on + timedelta(days=1))
    assert [d.schedule.id for d in checkins.due_checkins(setup.a, now)] == [plan.id]
    response = checkins.submit_checkin(setup.a, plan, {1: 4, 2: 4, 3: 4, 4: 4}, now=now)
    assert response.total == 16
    after = _at(plan.ends_on + timedelta(weeks=3))
    assert checkins.checkin_state(setup.a, plan, after).message.startswith(
        "This check-in has ended"
    )


def test_regular_check_ins_stay_closed_for_a_closed_couple(setup):
    regular = make_schedule(setup.couple)
    caseload.close_couple(setup.therapist, setup.couple)
    regular.stopped_at = None  # even if it were still running
    assert checkins.due_checkins(setup.b) == []
    assert "has ended" in checkins.checkin_state(setup.b, regular).message


def test_either_partner_stops_it_for_both_and_it_is_audited(setup):
    plan = _plan(setup)
    assert maintenance.running_plans(setup.b) == [plan]
    maintenance.stop_maintenance(setup.b, plan)
    assert plan.stopped_by_id == setup.b.id and plan.stopped_at is not None
    assert maintenance.running_plans(setup.a) == []
    now = _at(plan.starts_on + timedelta(days=1))
    assert checkins.due_checkins(setup.a, now) == []
    with pytest.raises(InvalidState, match="already stopped"):
        maintenance.stop_maintenance(setup.a, plan)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "maintenance.stop"))
    assert event.actor_id == setup.b.id and event.object_id == plan.id


def test_a_partner_cannot_stop_a_therapists_regular_check_in(setup):
    regular = make_schedule(setup.couple)
    with pytest.raises(InvalidState, match="Only your therapist"):
        maintenance.stop_maintenance(setup.a, regular)


def test_over_http_close_with_the_plan_then_a_partner_stops_it(app, world, client):
    couple_id = world.couple_ids["c1"]
    login(client, world.emails["therapist"])
    overview = client.get(f"/couples/{couple_id}").get_data(as_text=True)
    assert "After the last session, offer a maintenance plan" in overview
    question = client.post(f"/couples/{couple_id}/close", data={"maintenance": "yes"})
    text = question.get_data(as_text=True)
    assert "a CSI-4 check-in every 4 weeks for 6 months" in text
    assert 'name="maintenance" value="yes"' in text  # carried to the confirming press
    done = client.post(
        f"/couples/{couple_id}/close", data={"maintenance": "yes", "confirmed": "yes"}
    )
    assert done.status_code == 302
    client.post("/logout")
    with app.app_context():
        plan_id = db.session.scalar(select(MeasureSchedule.id).where(MeasureSchedule.maintenance))
        assert db.session.get(Couple, couple_id).status == CoupleStatus.CLOSED

    login(client, world.emails["partner_a"])
    page = client.get("/checkins").get_data(as_text=True)
    assert "Your maintenance plan" in page and "Stop the maintenance check-ins" in page
    assert "check-ins are closed" not in page
    stopped = client.post(f"/checkins/{plan_id}/maintenance/stop", data={"confirmed": "yes"})
    assert stopped.status_code == 302
    assert "Your maintenance plan" not in client.get("/checkins").get_data(as_text=True)
    client.post("/logout")

    login(client, world.emails["other_partner"])
    assert (
        client.post(f"/checkins/{plan_id}/maintenance/stop", data={"confirmed": "yes"}).status_code
        == 404
    )
    client.post("/logout")

    login(client, world.emails["therapist"])  # the therapist sees who stopped it, and when
    progress = client.get(f"/couples/{couple_id}/progress").get_data(as_text=True)
    assert (
        'Maintenance plan: <span class="chip chip-neutral">Stopped</span> by Partner A on'
        in progress
    )
