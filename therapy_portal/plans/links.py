"""Linking homework assignments and check-in schedules to a plan's goals.

Links are a working association, not part of what a version says: they are not signed, so the
therapist links new homework to the goals of the current version, signed or not, and amending
carries them to the next version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import User
from therapy_portal.models.homework import Assignment, AssignmentStatus, ExerciseVersion
from therapy_portal.models.measures import MeasureSchedule
from therapy_portal.models.plans import GoalLink, PlanGoal, PlanVersion
from therapy_portal.plans.progress import current_version
from therapy_portal.policy import plans as plan_policy


@dataclass(frozen=True)
class Choice:
    value: str  # "a:<assignment id>" or "s:<schedule id>"
    label: str


def choices(actor: User, couple_id: int) -> list[Choice]:
    """The couple's active homework and check-in schedules, as link choices (two statements)."""
    homework = db.session.execute(
        policy.assignments_for_therapist(actor)
        .join(ExerciseVersion, ExerciseVersion.id == Assignment.version_id)
        .where(Assignment.couple_id == couple_id, Assignment.status == AssignmentStatus.ACTIVE)
        .with_only_columns(Assignment.id, ExerciseVersion.title)
        .order_by(Assignment.id)
    ).all()
    schedules = db.session.execute(
        select(MeasureSchedule.id, MeasureSchedule.instrument).where(
            MeasureSchedule.couple_id == couple_id,
            MeasureSchedule.practice_id == actor.practice_id,
            MeasureSchedule.stopped_at.is_(None),
        )
    ).all()
    return [Choice(f"a:{i}", f"Homework: {t}") for i, t in homework] + [
        Choice(f"s:{i}", f"Check-in: {k.upper()}") for i, k in schedules
    ]


def goal_for_therapist_or_404(actor: User, goal_id: int) -> tuple[PlanGoal, PlanVersion]:
    row = db.session.execute(
        plan_policy.plan_versions_for_therapist(actor)
        .join(PlanGoal, PlanGoal.version_id == PlanVersion.id)
        .where(PlanGoal.id == goal_id)
        .with_only_columns(PlanGoal, PlanVersion)
    ).first()
    if row is None:
        audit.record_denied("plan.access", actor=actor, object_type="plan_goal", object_id=goal_id)
        raise NotAllowed(gettext("not found"))
    audit.reading_couple(row[1].couple_id)
    return row[0], row[1]


def link(actor: User, goal: PlanGoal, version: PlanVersion, value: str) -> GoalLink:
    """Link one of the couple's assignments or schedules to a goal of the current version."""
    current = current_version(actor, version.couple_id)
    if current is None or current.id != version.id:
        raise InvalidState(gettext("Link work to the goals of the plan's current version."))
    allowed = {c.value for c in choices(actor, version.couple_id)}
    if value not in allowed:
        raise ValidationFailed(
            gettext("Choose homework or a check-in of this couple."), field="work"
        )
    kind, _, raw = value.partition(":")
    column = GoalLink.assignment_id if kind == "a" else GoalLink.schedule_id
    if db.session.scalar(
        select(GoalLink.id).where(GoalLink.goal_id == goal.id, column == int(raw))
    ):
        raise ValidationFailed(gettext("This is already linked to the goal."), field="work")
    row = GoalLink(practice_id=version.practice_id, goal_id=goal.id)
    if kind == "a":
        row.assignment_id = int(raw)
    else:
        row.schedule_id = int(raw)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "plan.link",
        actor=actor,
        object_type="plan_goal",
        object_id=goal.id,
        couple_id=version.couple_id,
        kind="assignment" if kind == "a" else "schedule",
    )
    return row


def unlink(actor: User, goal: PlanGoal, version: PlanVersion, link_id: int) -> None:
    row = db.session.scalar(
        select(GoalLink).where(GoalLink.id == link_id, GoalLink.goal_id == goal.id)
    )
    if row is None:
        raise NotAllowed(gettext("not found"))
    db.session.delete(row)
    db.session.flush()
    audit.record(
        "plan.unlink",
        actor=actor,
        object_type="plan_goal",
        object_id=goal.id,
        couple_id=version.couple_id,
    )
