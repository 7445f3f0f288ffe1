"""Use cases of a couple's treatment plan: start, save a draft, sign, amend, link work to goals.

Each function takes the acting therapist, asks the policy, changes state, writes the audit event
and raises domain errors; it flushes and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func, select

from therapy_portal import audit, cosigning, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.plans import GoalLink, PlanGoal, PlanStatus, PlanVersion, TreatmentPlan
from therapy_portal.plans import signing
from therapy_portal.plans.targets import Target, check_target
from therapy_portal.policy import plans as plan_policy
from therapy_portal.timezones import practice_today

TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class GoalInput:
    description: str
    target: Target


@dataclass(frozen=True)
class PlanInput:
    presenting_problems: str = ""
    interventions: str = ""
    review_on: object = None  # a date, or None when not given
    goals: list[GoalInput] = field(default_factory=list)


def _audit(action: str, actor: User, row: PlanVersion, **detail) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="plan_version",
        object_id=row.id,
        couple_id=row.couple_id,
        **detail,
    )


def latest_version(couple_id: int) -> PlanVersion | None:
    return db.session.scalar(
        select(PlanVersion)
        .where(PlanVersion.couple_id == couple_id)
        .order_by(PlanVersion.number.desc())
        .limit(1)
    )


def start_plan(actor: User, couple: Couple) -> PlanVersion:
    """The couple's draft to work on: the open draft if there is one, else version 1."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    latest = latest_version(couple.id)
    if latest is not None:
        if latest.status == PlanStatus.DRAFT:
            return latest
        raise InvalidState(
            gettext("This couple has a signed plan: amend it to start a new version.")
        )
    plan = TreatmentPlan(practice_id=couple.practice_id, couple_id=couple.id)
    db.session.add(plan)
    db.session.flush()
    version = PlanVersion(
        practice_id=couple.practice_id,
        plan_id=plan.id,
        couple_id=couple.id,
        number=1,
        author_id=actor.id,
        review_on=practice_today(actor) + timedelta(days=90),
    )
    db.session.add(version)
    db.session.flush()
    _audit("plan.create", actor, version, version=1)
    return version


def _check(actor: User, data: PlanInput) -> list[GoalInput]:
    for name in ("presenting_problems", "interventions"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            raise ValidationFailed(f"Keep this under {TEXT_LIMIT:,} characters.", field=name)
    if data.review_on is None:
        raise ValidationFailed(gettext("Enter the date to review this plan."), field="review_on")
    if data.review_on < practice_today(actor):
        raise ValidationFailed(
            gettext("The review date is in the past: choose today or a later date."),
            field="review_on",
        )
    goals = [g for g in data.goals if g.description.strip()]
    for index, goal in enumerate(data.goals):
        if goal.description.strip():
            check_target(goal.target, f"goals-{index}-")
        elif goal.target.threshold is not None:
            raise ValidationFailed(
                gettext("Describe this goal."), field=f"goals-{index}-description"
            )
    return goals


def goals_of(version: PlanVersion) -> list[PlanGoal]:
    """The version's goals in order (read afresh: the relationship is never loaded lazily)."""
    return list(
        db.session.scalars(
            select(PlanGoal).where(PlanGoal.version_id == version.id).order_by(PlanGoal.position)
        )
    )


def _require_editable(actor: User, version: PlanVersion) -> None:
    if version.is_signed:
        raise InvalidState(signing.SIGNED_PLAN_MESSAGE)
    if not plan_policy.can_edit_plan(actor, version):
        raise InvalidState(gettext("Only the therapist who started this draft can change it."))


def save_draft(actor: User, version: PlanVersion, data: PlanInput) -> PlanVersion:
    """Save a draft version. Every goal needs a measurable target; the review date is not past."""
    _require_editable(actor, version)
    goals = _check(actor, data)
    version.presenting_problems = data.presenting_problems
    version.interventions = data.interventions
    version.review_on = data.review_on
    _replace_goals(version, goals)
    version.updated_at = utcnow()
    db.session.flush()
    db.session.expire(version, ["goals"])
    _audit("plan.save", actor, version, count=len(goals))
    return version


def _replace_goals(version: PlanVersion, goals: list[GoalInput]) -> None:
    """Update goals in place by position (their links stay), add new ones, drop the rest."""
    existing = {g.position: g for g in goals_of(version)}
    for position, goal in enumerate(goals, start=1):
        row = existing.pop(position, None)
        if row is None:
            row = PlanGoal(practice_id=version.practice_id, version_id=version.id)
            row.position = position
            db.session.add(row)
        t = goal.target
        row.description = goal.description.strip()[:500]
        row.target_kind, row.instrument, row.comparator = t.kind, t.instrument or "", t.comparator
        row.threshold, row.who = t.threshold, t.who
    gone = [g.id for g in existing.values()]
    if gone:
        db.session.execute(delete(GoalLink).where(GoalLink.goal_id.in_(gone)))
        db.session.execute(delete(PlanGoal).where(PlanGoal.id.in_(gone)))


def sign_plan(actor: User, version: PlanVersion) -> PlanVersion:
    """Lock a draft version with the actor's signature; a supervised author's awaits co-signing."""
    _require_editable(actor, version)
    goals = goals_of(version)
    if not goals:
        raise ValidationFailed(
            gettext("Add at least one goal with a measurable target before signing.")
        )
    if version.review_on is None or version.review_on < practice_today(actor):
        raise ValidationFailed(
            gettext("The review date is in the past: choose today or a later date."),
            field="review_on",
        )
    version.status = PlanStatus.SIGNED
    version.signed_by_id = actor.id
    version.signer_name = actor.name
    version.signer_credentials = actor.credentials
    version.signed_at = utcnow().replace(microsecond=0)
    version.signature = signing.sign_fields(version, goals)
    db.session.flush()
    _audit("plan.sign", actor, version, version=version.number)
    cosigning.request_if_supervised(actor, "plan", version.id, version.couple_id)
    return version


def amend_plan(actor: User, version: PlanVersion) -> PlanVersion:
    """Start the next version as a draft carrying this signed version's content and links."""
    latest = db.session.scalar(
        select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == version.plan_id)
    )
    if not plan_policy.can_amend_plan(actor, version, latest or 0):
        raise InvalidState(gettext("Only the latest signed version can be amended."))
    draft = PlanVersion(
        practice_id=version.practice_id,
        plan_id=version.plan_id,
        couple_id=version.couple_id,
        number=version.number + 1,
        author_id=actor.id,
        presenting_problems=version.presenting_problems,
        interventions=version.interventions,
        review_on=max(version.review_on or practice_today(actor), practice_today(actor)),
    )
    db.session.add(draft)
    db.session.flush()
    _copy_goals(version, draft)
    _audit("plan.amend", actor, draft, version=draft.number)
    return draft


def _copy_goals(source: PlanVersion, draft: PlanVersion) -> None:
    goals = goals_of(source)
    links = db.session.scalars(
        select(GoalLink).where(GoalLink.goal_id.in_([g.id for g in goals]))
    ).all()
    for goal in goals:
        copy = PlanGoal(
            practice_id=goal.practice_id,
            version_id=draft.id,
            position=goal.position,
            description=goal.description,
            target_kind=goal.target_kind,
            instrument=goal.instrument,
            comparator=goal.comparator,
            threshold=goal.threshold,
            who=goal.who,
        )
        db.session.add(copy)
        db.session.flush()
        for link in links:
            if link.goal_id == goal.id:
                db.session.add(
                    GoalLink(
                        practice_id=link.practice_id,
                        goal_id=copy.id,
                        assignment_id=link.assignment_id,
                        schedule_id=link.schedule_id,
                    )
                )
    db.session.flush()
