"""Linking new work to a goal of the couple's treatment plan as it is created: homework at
assign time and a check-in when it is scheduled (the plan page links existing work,
`plans.links`).

It lives here, below both the homework and plans areas, because the plans area already imports
the measures package (its instruments): this module only needs the models and the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import User
from therapy_portal.models.plans import GoalLink, PlanGoal, PlanVersion
from therapy_portal.policy import plans as plan_policy


@dataclass(frozen=True)
class GoalChoice:
    id: int
    label: str


def current_goals(actor: User, couple_id: int) -> list[GoalChoice]:
    """The goals of the couple's current plan version (signed or draft), in order; one
    statement, none when the couple has no plan or the actor does not treat the couple."""
    latest = (
        plan_policy.plan_versions_for_therapist(actor)
        .where(PlanVersion.couple_id == couple_id)
        .with_only_columns(PlanVersion.id)
        .order_by(PlanVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(PlanGoal.id, PlanGoal.position, PlanGoal.description)
        .where(PlanGoal.version_id == latest)
        .order_by(PlanGoal.position)
    ).all()
    return [GoalChoice(i, f"Goal {position}: {text}") for i, position, text in rows]


def check_goal(actor: User, couple_id: int, goal_id: int | None) -> None:
    """`ValidationFailed` unless ``goal_id`` is empty or a goal of the current plan version."""
    if goal_id is not None and goal_id not in {g.id for g in current_goals(actor, couple_id)}:
        raise ValidationFailed(
            gettext("Choose a goal of the couple's current treatment plan."), field="goal_id"
        )


def link_new_work(
    actor: User,
    couple_id: int,
    goal_id: int | None,
    *,
    assignment_id: int | None = None,
    schedule_id: int | None = None,
) -> GoalLink | None:
    """Link just-created homework or check-ins to the chosen goal (audited); nothing when no
    goal was chosen. Call `check_goal` before creating the work, so a refusal loses nothing."""
    if goal_id is None:
        return None
    check_goal(actor, couple_id, goal_id)
    goal = db.session.get(PlanGoal, goal_id)
    row = GoalLink(
        practice_id=goal.practice_id,
        goal_id=goal_id,
        assignment_id=assignment_id,
        schedule_id=schedule_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "plan.link",
        actor=actor,
        object_type="plan_goal",
        object_id=goal_id,
        couple_id=couple_id,
        kind="assignment" if assignment_id is not None else "schedule",
    )
    return row
