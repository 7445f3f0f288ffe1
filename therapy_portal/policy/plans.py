"""Who may see or do what with treatment plans.

A couple's therapists (primary and co) read every version of its plan and export it; the author
of a draft version edits and signs it; any of the couple's therapists amends the latest signed
version (a new draft). A supervisor reads the versions submitted for their co-signature
(`policy.supervision`). Partners and admins see no plans: there is no partner view of a plan.
Misses look like 404s and are audited.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleTherapist, Role, User
from therapy_portal.models.plans import PlanStatus, PlanVersion
from therapy_portal.models.supervision import CoSignature, SignedKind


def _treated(user: User):
    return select(CoupleTherapist.couple_id).where(
        CoupleTherapist.therapist_id == user.id,
        CoupleTherapist.practice_id == user.practice_id,
    )


def plan_versions_for_therapist(user: User) -> Select[tuple[PlanVersion]]:
    """Plan versions of the couples the user treats."""
    if user.role != Role.THERAPIST:
        return select(PlanVersion).where(False)
    return select(PlanVersion).where(PlanVersion.couple_id.in_(_treated(user)))


def plan_versions_for_reviewer(user: User) -> Select[tuple[PlanVersion]]:
    """Versions the user treats the couple of, or was asked to co-sign as a supervisor."""
    if user.role != Role.THERAPIST:
        return select(PlanVersion).where(False)
    supervised = select(CoSignature.object_id).where(
        CoSignature.kind == SignedKind.PLAN,
        CoSignature.supervisor_id == user.id,
        CoSignature.practice_id == user.practice_id,
    )
    return select(PlanVersion).where(
        or_(PlanVersion.couple_id.in_(_treated(user)), PlanVersion.id.in_(supervised))
    )


def _load_or_404(user: User, stmt: Select, version_id: int) -> PlanVersion:
    version = db.session.scalar(
        stmt.where(PlanVersion.id == version_id).options(selectinload(PlanVersion.goals))
    )
    if version is None:
        audit.record_denied(
            "plan.access", actor=user, object_type="plan_version", object_id=version_id
        )
        raise NotAllowed("not found")
    audit.reading_couple(version.couple_id)
    return version


def plan_version_for_therapist_or_404(user: User, version_id: int) -> PlanVersion:
    """A version (goals loaded) of a plan of the user's caseload, or 404."""
    return _load_or_404(user, plan_versions_for_therapist(user), version_id)


def plan_version_for_reviewer_or_404(user: User, version_id: int) -> PlanVersion:
    """A version the user treats the couple of or supervises, or 404."""
    return _load_or_404(user, plan_versions_for_reviewer(user), version_id)


def can_edit_plan(user: User, version: PlanVersion) -> bool:
    """Only the author edits or signs a draft version."""
    return version.author_id == user.id and version.status == PlanStatus.DRAFT


def can_amend_plan(user: User, version: PlanVersion, latest_number: int) -> bool:
    """Any of the couple's therapists amends the latest version once it is signed."""
    return (
        user.role == Role.THERAPIST
        and version.status == PlanStatus.SIGNED
        and version.number == latest_number
    )
