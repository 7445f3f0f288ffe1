"""Plan versions, target validation, review dates, signing and the signed-version guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests import clock
from tests.measures.factories import make_schedule
from tests.plans.factories import csi4_goal, homework_goal, make_plan, plan_input
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.plans import GoalLink, PlanVersion
from therapy_portal.plans import services, signing
from therapy_portal.plans.services import GoalInput
from therapy_portal.plans.targets import Target


def test_a_goal_without_a_measurable_target_is_a_field_error(people):
    version = services.start_plan(people.therapist, people.couple)
    goal = GoalInput("Fight less", Target("measure", "csi4", "at_least", None, "each"))
    with pytest.raises(ValidationFailed) as error:
        services.save_draft(people.therapist, version, plan_input([csi4_goal(), goal]))
    assert error.value.field == "goals-1-threshold"
    assert "measurable target" in error.value.message


def test_a_measure_target_outside_the_instruments_range_is_refused(people):
    version = services.start_plan(people.therapist, people.couple)
    with pytest.raises(ValidationFailed) as error:
        services.save_draft(people.therapist, version, plan_input([csi4_goal(threshold=22)]))
    assert error.value.field == "goals-0-threshold"
    assert "0 to 21" in error.value.message


def test_a_measure_target_needs_an_instrument(people):
    version = services.start_plan(people.therapist, people.couple)
    goal = GoalInput("Closer", Target("measure", "", "at_least", 14, "each"))
    with pytest.raises(ValidationFailed) as error:
        services.save_draft(people.therapist, version, plan_input([goal]))
    assert error.value.field == "goals-0-instrument"


def test_a_homework_target_is_a_percentage(people):
    version = services.start_plan(people.therapist, people.couple)
    with pytest.raises(ValidationFailed):
        services.save_draft(people.therapist, version, plan_input([homework_goal(percent=0)]))
    services.save_draft(people.therapist, version, plan_input([homework_goal(percent=100)]))
    assert [g.threshold for g in services.goals_of(version)] == [100]


def test_a_review_date_in_the_past_is_refused_and_today_is_accepted(people):
    version = services.start_plan(people.therapist, people.couple)
    yesterday = clock.today() - timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        services.save_draft(people.therapist, version, plan_input(review_on=yesterday))
    assert error.value.field == "review_on"
    assert "in the past" in error.value.message
    services.save_draft(people.therapist, version, plan_input(review_on=clock.today()))
    assert version.review_on == clock.today()


def test_signing_locks_the_version_and_the_signature_verifies(people):
    version = make_plan(people.therapist, people.couple, signed=True)
    loaded = db.session.scalar(select(PlanVersion).where(PlanVersion.id == version.id))
    db.session.refresh(loaded)
    goals = services.goals_of(loaded)
    assert loaded.is_signed and loaded.signer_name == "Robin Hale"
    assert loaded.signature == signing.sign_fields(loaded, goals)
    with pytest.raises(InvalidState):
        services.save_draft(people.therapist, loaded, plan_input())


def test_the_orm_guard_refuses_to_change_a_signed_version_or_its_goals(people):
    version = make_plan(people.therapist, people.couple, signed=True)
    db.session.commit()
    version.interventions = "Rewritten after signing."
    with pytest.raises(InvalidState):
        db.session.flush()
    db.session.rollback()
    goal = services.goals_of(version)[0]
    goal.threshold = 3
    with pytest.raises(InvalidState):
        db.session.flush()
    db.session.rollback()


def test_amending_makes_a_new_draft_version_and_keeps_the_old_one(people):
    v1 = make_plan(people.therapist, people.couple, signed=True)
    goal = services.goals_of(v1)[0]
    # A link on the signed version's goal goes with the amendment.
    schedule = make_schedule(people.couple)
    db.session.add(GoalLink(practice_id=v1.practice_id, goal_id=goal.id, schedule_id=schedule.id))
    db.session.flush()
    v2 = services.amend_plan(people.therapist, v1)
    assert (v2.number, v2.status) == (2, "draft")
    copied = services.goals_of(v2)
    assert [g.description for g in copied] == [goal.description]
    assert db.session.scalar(select(GoalLink.schedule_id).where(GoalLink.goal_id == copied[0].id))
    services.save_draft(people.therapist, v2, plan_input([csi4_goal(threshold=16)]))
    services.sign_plan(people.therapist, v2)
    assert services.goals_of(v1)[0].threshold == 14  # the old version is unchanged
    assert signing.verified(_loaded(v1))
    with pytest.raises(InvalidState):  # only the latest version is amended
        services.amend_plan(people.therapist, v1)


def _loaded(version):
    db.session.expire(version)
    return db.session.scalar(
        select(PlanVersion)
        .where(PlanVersion.id == version.id)
        .options(selectinload(PlanVersion.goals))
    )


def test_a_therapist_of_another_couple_cannot_start_a_plan(people):
    with pytest.raises(NotAllowed):
        services.start_plan(people.other_therapist, people.couple)


def test_plan_steps_are_audited(people):
    make_plan(people.therapist, people.couple, signed=True)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "plan_version")
    ).all()
    assert {"plan.create", "plan.save", "plan.sign"} <= set(actions)
