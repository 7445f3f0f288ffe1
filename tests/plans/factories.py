"""Test data for treatment plans and supervision. Each function flushes."""

from __future__ import annotations

from datetime import date, timedelta

from tests import clock
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.plans import PlanVersion
from therapy_portal.models.supervision import Supervision
from therapy_portal.plans import services
from therapy_portal.plans.services import GoalInput, PlanInput
from therapy_portal.plans.targets import Target


def csi4_goal(
    threshold: int = 14, who: str = "each", description: str = "Feel closer"
) -> GoalInput:
    return GoalInput(description, Target("measure", "csi4", "at_least", threshold, who))


def homework_goal(percent: int = 80, description: str = "Practise gratitude") -> GoalInput:
    return GoalInput(description, Target("homework", "", "at_least", percent, "each"))


def plan_input(goals: list[GoalInput] | None = None, review_on: date | None = None) -> PlanInput:
    return PlanInput(
        "Frequent escalation; distance after conflict.",
        "Gottman soft start-up; EFT enactments.",
        review_on or clock.today() + timedelta(days=30),
        goals if goals is not None else [csi4_goal()],
    )


def make_plan(therapist: User, couple: Couple, *, signed: bool = False, goals=None) -> PlanVersion:
    version = services.start_plan(therapist, couple)
    services.save_draft(therapist, version, plan_input(goals))
    if signed:
        services.sign_plan(therapist, version)
    db.session.flush()
    return version


def supervise(therapist: User, supervisor: User) -> Supervision:
    row = Supervision(
        practice_id=therapist.practice_id,
        therapist_id=therapist.id,
        supervisor_id=supervisor.id,
        set_by_id=supervisor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row
