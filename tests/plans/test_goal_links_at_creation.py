"""Homework and check-ins link to a goal of the couple's current plan as they are created
(at assign time, and when a check-in is scheduled); the overview's goal progress uses the links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import clock
from tests.factories import login
from tests.homework.factories import make_version
from tests.measures.factories import make_response
from tests.plans.factories import csi4_goal, homework_goal, make_plan
from therapy_portal import policy
from therapy_portal.caseload.overview import at_a_glance
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework import services as homework
from therapy_portal.measures import goal_links
from therapy_portal.measures import services as measures
from therapy_portal.models import AuditEvent, Couple, User
from therapy_portal.models.homework import Assignment
from therapy_portal.models.measures import MeasureSchedule
from therapy_portal.models.plans import GoalLink, PlanGoal
from therapy_portal.plans import services as plans


def _glance(people):
    """The Overview's reads, with the couple loaded as the page loads it."""
    db.session.flush()
    db.session.expire_all()
    therapist = db.session.get(User, people.therapist.id)
    return at_a_glance(therapist, policy.couple_for_therapist_or_404(therapist, people.couple.id))


def _goal_id(version) -> int:
    return db.session.scalar(
        select(PlanGoal.id).where(PlanGoal.version_id == version.id).order_by(PlanGoal.position)
    )


def _assign_input(version, goal_id=None) -> homework.AssignInput:
    return homework.AssignInput(
        version_id=version.id,
        mode=version.default_mode,
        visibility={},
        due_on=clock.today() + timedelta(days=3),
        goal_id=goal_id,
    )


def test_the_goal_choices_are_the_current_versions_goals(people):
    t = people.therapist
    assert goal_links.current_goals(t, people.couple.id) == []  # no plan yet
    first = make_plan(t, people.couple, signed=True, goals=[csi4_goal()])
    amended = plans.amend_plan(t, first)
    plans.save_draft(
        t,
        amended,
        plans.PlanInput(
            "p", "i", clock.today() + timedelta(days=9), [csi4_goal(), homework_goal()]
        ),
    )
    labels = [g.label for g in goal_links.current_goals(t, people.couple.id)]
    assert labels == ["Goal 1: Feel closer", "Goal 2: Practise gratitude"]
    assert goal_links.current_goals(people.other_therapist, people.couple.id) == []


def test_assigning_with_a_goal_links_the_homework_and_counts_for_it(people):
    t = people.therapist
    version = make_plan(t, people.couple, goals=[homework_goal(50)])
    goal_id = _goal_id(version)
    gratitude = make_version(t, title="Daily appreciation log")
    assignment = homework.assign(t, people.couple, _assign_input(gratitude, goal_id))
    link = db.session.scalar(select(GoalLink).where(GoalLink.goal_id == goal_id))
    assert link.assignment_id == assignment.id
    progress = _glance(people).plan
    assert progress.goals[0].linked == ["Homework: Daily appreciation log"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.link"))
    assert event.object_id == goal_id and event.detail["kind"] == "assignment"


def test_a_goal_of_another_couple_is_refused_and_nothing_is_assigned(people):
    other_plan = make_plan(people.other_therapist, people.other_couple)
    make_plan(people.therapist, people.couple)
    version = make_version(people.therapist)
    with pytest.raises(ValidationFailed, match="current treatment plan") as refused:
        homework.assign(
            people.therapist, people.couple, _assign_input(version, _goal_id(other_plan))
        )
    assert refused.value.field == "goal_id"
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    assert db.session.scalar(select(func.count()).select_from(GoalLink)) == 0


def test_scheduling_a_check_in_with_a_goal_links_it_and_shows_progress(people):
    t = people.therapist
    version = make_plan(t, people.couple, goals=[csi4_goal(14)])
    goal_id = _goal_id(version)
    schedule = measures.schedule_checkin(
        t, people.couple, "csi4", 1, clock.today() - timedelta(days=7), goal_id
    )
    link = db.session.scalar(select(GoalLink).where(GoalLink.goal_id == goal_id))
    assert link.schedule_id == schedule.id
    make_response(schedule, people.a, 0, total=15)
    make_response(schedule, people.b, 0, total=13)
    progress = _glance(people).plan
    assert progress.goals[0].linked == ["Check-in: CSI4"]
    assert (progress.goals[0].status, progress.goals[0].detail) == (
        "Not yet",
        "Partner A: 15, Partner B: 13",
    )


def test_scheduling_with_a_stale_goal_is_refused_and_nothing_is_scheduled(people):
    t = people.therapist
    first = make_plan(t, people.couple, signed=True)
    plans.amend_plan(t, first)  # the first version's goal is no longer current
    with pytest.raises(ValidationFailed, match="current treatment plan"):
        measures.schedule_checkin(t, people.couple, "csi4", 1, clock.today(), _goal_id(first))
    assert db.session.scalar(select(func.count()).select_from(MeasureSchedule)) == 0


def test_over_http_assign_and_schedule_pages_offer_the_goals(app, world, client):
    couple_id = world.couple_ids["c1"]
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        version = make_plan(therapist, db.session.get(Couple, couple_id), goals=[csi4_goal()])
        goal_id = _goal_id(version)
        gratitude = make_version(therapist, title="Daily appreciation log")
        template_id = gratitude.template_id
        shown = {f"vis_{p['key']}": p["visibility"] for p in gratitude.prompts}
        db.session.commit()
    login(client, world.emails["therapist"])
    url = f"/homework/couples/{couple_id}/assign?template_id={template_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Works toward goal (optional)" in page and "Goal 1: Feel closer" in page
    due = (clock.today() + timedelta(days=3)).isoformat()
    form = {"mode": "each_partner", "due_on": due, "cadence": "once", "goal_id": "999999", **shown}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert "Choose a goal of the couple&#39;s current treatment plan." in refused.get_data(
        as_text=True
    )
    assert client.post(url, data={**form, "goal_id": str(goal_id)}).status_code == 302

    schedule_url = f"/couples/{couple_id}/checkins/new"
    page = client.get(schedule_url).get_data(as_text=True)
    assert "Goal 1: Feel closer" in page
    posted = client.post(
        schedule_url,
        data={
            "instrument": "csi4",
            "interval_weeks": "2",
            "starts_on": clock.today().isoformat(),
            "goal_id": str(goal_id),
        },
    )
    assert posted.status_code == 302
    with app.app_context():
        links = db.session.scalars(select(GoalLink).where(GoalLink.goal_id == goal_id)).all()
        assert sorted((x.assignment_id is None, x.schedule_id is None) for x in links) == [
            (False, True),
            (True, False),
        ]
    overview = client.get(f"/couples/{couple_id}").get_data(as_text=True)
    assert "Homework: Daily appreciation log" in overview and "Check-in: CSI4" in overview


def test_no_plan_no_goal_field(app, world, client):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        template_id = make_version(therapist).template_id
        db.session.commit()
    login(client, world.emails["therapist"])
    couple_id = world.couple_ids["c1"]
    page = client.get(f"/homework/couples/{couple_id}/assign?template_id={template_id}")
    assert "Works toward goal" not in page.get_data(as_text=True)
    page = client.get(f"/couples/{couple_id}/checkins/new")
    assert "Works toward goal" not in page.get_data(as_text=True)
