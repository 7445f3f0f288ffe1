"""Progress toward each goal of a couple's current plan, for the couple's Overview tab.

A measure goal compares the latest score of each partner it names (on the goal's instrument)
with its target; the threshold itself counts as met. A homework goal compares the share of the
linked homework due so far that was done (every partner submitted, or the joint answer) with
its percentage. Four statements whatever the couple's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Assignment, ExerciseVersion, Occurrence
from therapy_portal.models.measures import MeasureSchedule
from therapy_portal.models.plans import GoalLink, PlanGoal, PlanVersion, TargetKind, TargetWho
from therapy_portal.models.vocabulary import Mode
from therapy_portal.plans.targets import describe, meets
from therapy_portal.policy import plans as plan_policy
from therapy_portal.timezones import practice_today

MET, NOT_YET, NO_DATA = "Met", "Not yet", "No data yet"


@dataclass(frozen=True)
class GoalProgress:
    position: int
    description: str
    target: str
    status: str
    detail: str
    linked: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanProgress:
    version_id: int
    number: int
    signed: bool
    review_on: date | None
    goals: list[GoalProgress]


def current_version(actor: User, couple_id: int) -> PlanVersion | None:
    """The couple's latest plan version, goals loaded (two statements)."""
    from sqlalchemy.orm import selectinload

    return db.session.scalar(
        plan_policy.plan_versions_for_therapist(actor)
        .where(PlanVersion.couple_id == couple_id)
        .options(selectinload(PlanVersion.goals))
        .order_by(PlanVersion.number.desc())
        .limit(1)
    )


def linked_work(goal_ids: list[int]) -> dict[int, list[tuple[int, str, int | None]]]:
    """(link id, what it is, assignment id) by goal id."""
    if not goal_ids:
        return {}
    rows = db.session.execute(
        select(GoalLink.goal_id, GoalLink.id, ExerciseVersion.title, MeasureSchedule.instrument)
        .add_columns(GoalLink.assignment_id)
        .outerjoin(Assignment, Assignment.id == GoalLink.assignment_id)
        .outerjoin(ExerciseVersion, ExerciseVersion.id == Assignment.version_id)
        .outerjoin(MeasureSchedule, MeasureSchedule.id == GoalLink.schedule_id)
        .where(GoalLink.goal_id.in_(goal_ids))
        .order_by(GoalLink.id)
    ).all()
    out: dict[int, list[tuple[int, str, int | None]]] = {}
    for goal_id, link_id, title, instrument, assignment_id in rows:
        label = f"Homework: {title}" if title else f"Check-in: {(instrument or '').upper()}"
        out.setdefault(goal_id, []).append((link_id, label, assignment_id))
    return out


def _completion(actor: User, couple: Couple, assignment_ids: set[int]) -> dict[int, tuple]:
    """(done, due) by assignment, for occurrences due up to today."""
    if not assignment_ids:
        return {}
    members = len(couple.members) or 1
    rows = db.session.execute(
        policy.occurrences_for_therapist(actor)
        .join(Assignment, Assignment.id == Occurrence.assignment_id)
        .where(
            Occurrence.assignment_id.in_(assignment_ids),
            Occurrence.due_on <= practice_today(actor),
        )
        .with_only_columns(Occurrence.assignment_id, Occurrence.submitted_count, Assignment.mode)
    ).all()
    out: dict[int, list[int]] = {}
    for assignment_id, submitted, mode in rows:
        tally = out.setdefault(assignment_id, [0, 0])
        tally[1] += 1
        tally[0] += submitted >= (1 if mode == Mode.JOINT else members)
    return {k: tuple(v) for k, v in out.items()}


def measure_status(goal: PlanGoal, latest: dict[str, int], labels: list[str]) -> tuple[str, str]:
    """Met / not yet / no data, and the scores that decided it."""
    wanted = labels if goal.who == TargetWho.EACH else [goal.who]
    shown = ", ".join(f"Partner {x}: {latest[x]}" for x in wanted if x in latest)
    if any(x not in latest for x in wanted):
        return NO_DATA, shown or "No check-in answered yet."
    ok = all(meets(goal.comparator, goal.threshold, latest[x]) for x in wanted)
    return (MET if ok else NOT_YET), shown


def homework_status(goal: PlanGoal, done: int, due: int) -> tuple[str, str]:
    if due == 0:
        return NO_DATA, "No linked homework due yet."
    percent = round(100 * done / due)
    status = MET if percent >= goal.threshold else NOT_YET
    return status, f"{done} of {due} done ({percent}%)"


def plan_progress(
    actor: User, couple: Couple, latest: dict[str, dict[str, int]]
) -> PlanProgress | None:
    """Progress toward the current version's goals; `latest` is score by instrument and label."""
    version = current_version(actor, couple.id)
    if version is None:
        return None
    links = linked_work([g.id for g in version.goals])
    ids = {a for rows in links.values() for _, _, a in rows if a}
    completion = _completion(actor, couple, ids)
    labels = sorted(m.label for m in couple.members)
    goals = []
    for goal in version.goals:
        mine = links.get(goal.id, [])
        if goal.target_kind == TargetKind.HOMEWORK:
            tallies = [completion.get(a, (0, 0)) for _, _, a in mine if a]
            status = homework_status(goal, sum(t[0] for t in tallies), sum(t[1] for t in tallies))
        else:
            status = measure_status(goal, latest.get(goal.instrument, {}), labels)
        target = describe(
            goal.target_kind, goal.instrument, goal.comparator, goal.threshold, goal.who
        )
        goals.append(
            GoalProgress(goal.position, goal.description, target, *status, [t for _, t, _ in mine])
        )
    return PlanProgress(version.id, version.number, version.is_signed, version.review_on, goals)
