"""Progress toward goals: scores exactly at the threshold, each partner, homework completion."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import clock
from tests.factories import partner
from tests.homework.factories import assign, first_occurrence, make_version
from tests.measures.factories import make_response, make_schedule
from tests.plans.factories import csi4_goal, homework_goal, make_plan
from therapy_portal import policy
from therapy_portal.caseload.overview import at_a_glance
from therapy_portal.extensions import db
from therapy_portal.models import User
from therapy_portal.models.plans import GoalLink
from therapy_portal.plans import progress, services
from therapy_portal.plans.targets import meets


def _glance(people):
    """The Overview's reads, with the couple loaded as the page loads it."""
    db.session.flush()
    db.session.expire_all()
    therapist = db.session.get(User, people.therapist.id)
    return at_a_glance(therapist, policy.couple_for_therapist_or_404(therapist, people.couple.id))


@pytest.mark.parametrize(
    ("comparator", "score", "met"),
    [
        ("at_least", 14, True),
        ("at_least", 13, False),
        ("at_most", 14, True),
        ("at_most", 15, False),
    ],
)
def test_the_threshold_itself_counts_as_met(comparator, score, met):
    assert meets(comparator, 14, score) is met


def _scores(people, a_total: int, b_total: int | None):
    schedule = make_schedule(people.couple, starts_on=clock.today() - timedelta(days=14))
    make_response(schedule, partner(people.couple, "A"), 0, total=a_total)
    if b_total is not None:
        make_response(schedule, partner(people.couple, "B"), 0, total=b_total)
    return schedule


def test_each_partner_at_the_threshold_meets_the_goal(people):
    make_plan(people.therapist, people.couple, signed=True)
    _scores(people, 14, 14)
    goal = _glance(people).plan.goals[0]
    assert goal.status == progress.MET
    assert goal.detail == "Partner A: 14, Partner B: 14"
    assert goal.target.endswith("of each partner at or above 14")


def test_one_partner_below_the_threshold_is_not_yet(people):
    make_plan(people.therapist, people.couple, signed=True)
    _scores(people, 14, 13)
    assert _glance(people).plan.goals[0].status == progress.NOT_YET


def test_a_partner_without_a_score_is_no_data_yet(people):
    make_plan(people.therapist, people.couple, signed=True)
    _scores(people, 20, None)
    goal = _glance(people).plan.goals[0]
    assert goal.status == progress.NO_DATA


def test_a_goal_for_partner_b_only_reads_partner_b(people):
    make_plan(people.therapist, people.couple, goals=[csi4_goal(who="B")])
    _scores(people, 2, 14)
    assert _glance(people).plan.goals[0].status == progress.MET


@pytest.mark.parametrize(("submitted", "status"), [(2, progress.MET), (1, progress.NOT_YET)])
def test_homework_goal_reads_the_linked_homework(people, submitted, status):
    version = make_plan(people.therapist, people.couple, goals=[homework_goal(percent=100)])
    assignment = assign(people.therapist, people.couple, make_version(people.therapist))
    goal = services.goals_of(version)[0]
    db.session.add(
        GoalLink(practice_id=version.practice_id, goal_id=goal.id, assignment_id=assignment.id)
    )
    occurrence = first_occurrence(assignment)
    occurrence.due_on = clock.today() - timedelta(days=1)
    occurrence.submitted_count = submitted  # both partners, or one of two
    db.session.flush()
    shown = _glance(people).plan.goals[0]
    assert shown.linked == ["Homework: Test exercise"]
    assert shown.status == status


def test_unlinked_homework_goal_has_no_data(people):
    make_plan(people.therapist, people.couple, goals=[homework_goal()])
    assert _glance(people).plan.goals[0].status == progress.NO_DATA


def test_no_plan_shows_nothing(people):
    assert _glance(people).plan is None
