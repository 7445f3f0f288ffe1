"""Signatures of plan versions and the guard that keeps a signed version unchanged.

The signature is made like a session note's (`therapy_portal.signatures`): an HMAC over the
canonical JSON of everything the version says (its goals included), who signed it and when.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from therapy_portal.errors import InvalidState
from therapy_portal.models.plans import PlanGoal, PlanStatus, PlanVersion
from therapy_portal.signatures import ALGORITHM, canonical, iso, mac, matches

SIGNED_PLAN_MESSAGE = (
    "This version of the plan is signed and can't be changed. Amend the plan to start a new "
    "version."
)
GOAL_FIELDS = ("position", "description", "target_kind", "instrument", "comparator", "threshold")


def canonical_plan(version: PlanVersion, goals: list[PlanGoal]) -> bytes:
    payload = {
        "alg": ALGORITHM,
        "id": version.id,
        "plan_id": version.plan_id,
        "practice_id": version.practice_id,
        "couple_id": version.couple_id,
        "number": version.number,
        "author_id": version.author_id,
        "presenting_problems": version.presenting_problems,
        "interventions": version.interventions,
        "review_on": iso(version.review_on),
        "goals": [
            {**{f: getattr(g, f) for f in GOAL_FIELDS}, "who": g.who}
            for g in sorted(goals, key=lambda g: g.position)
        ],
        "signed_by_id": version.signed_by_id,
        "signer_name": version.signer_name,
        "signer_credentials": version.signer_credentials,
        "signed_at": iso(version.signed_at),
    }
    return canonical(payload)


def sign_fields(version: PlanVersion, goals: list[PlanGoal]) -> str:
    return mac(canonical_plan(version, goals))


def verified(version: PlanVersion) -> bool:
    """Whether a signed version (goals loaded) still matches its signature."""
    return version.is_signed and matches(version.signature, canonical_plan(version, version.goals))


def _was_signed(version: PlanVersion) -> bool:
    history = inspect(version).attrs.status.history
    if history.deleted:  # status set in this flush: what it was before
        return history.deleted[0] == PlanStatus.SIGNED
    return version.status == PlanStatus.SIGNED  # loads it when expired


def _goal_locked(session: Session, goal: PlanGoal) -> bool:
    version = session.get(PlanVersion, goal.version_id)
    return version is not None and _was_signed(version) and version.status == PlanStatus.SIGNED


def refuse_signed_plan_changes(session: Session, flush_context, instances) -> None:
    """ORM guard: a signed version and its goals are neither changed nor deleted."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PlanVersion) and _was_signed(obj) and session.is_modified(obj):
            raise InvalidState(SIGNED_PLAN_MESSAGE)
        if isinstance(obj, PlanVersion) and obj in session.deleted and _was_signed(obj):
            raise InvalidState(SIGNED_PLAN_MESSAGE)
        changed = obj in session.deleted or session.is_modified(obj)
        if isinstance(obj, PlanGoal) and changed and _goal_locked(session, obj):
            raise InvalidState(SIGNED_PLAN_MESSAGE)
    for obj in session.new:
        if isinstance(obj, PlanGoal) and obj.version_id and _goal_locked(session, obj):
            raise InvalidState(SIGNED_PLAN_MESSAGE)
