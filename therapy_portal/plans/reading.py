"""Reading a plan version for its page and its PDF: plain values, audited by the views."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.cosigning import cosignature_for
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.plans import PlanVersion
from therapy_portal.models.supervision import CoSignature, SignedKind
from therapy_portal.plans import signing
from therapy_portal.plans.progress import linked_work
from therapy_portal.plans.targets import describe


@dataclass(frozen=True)
class GoalView:
    id: int
    position: int
    description: str
    target: str
    links: list[tuple[int, str]]


@dataclass(frozen=True)
class VersionPage:
    version: PlanVersion
    couple: Couple
    goals: list[GoalView]
    versions: list[tuple[int, int, str]]  # (id, number, status), newest first
    verified: bool
    cosignature: CoSignature | None

    @property
    def is_latest(self) -> bool:
        return bool(self.versions) and self.versions[0][0] == self.version.id


def goal_views(version: PlanVersion) -> list[GoalView]:
    links = linked_work([g.id for g in version.goals])
    return [
        GoalView(
            g.id,
            g.position,
            g.description,
            describe(g.target_kind, g.instrument, g.comparator, g.threshold, g.who),
            [(link_id, label) for link_id, label, _ in links.get(g.id, [])],
        )
        for g in version.goals
    ]


def version_page(actor: User, version: PlanVersion) -> VersionPage:
    """Everything a version's page shows; a failed signature check is audited."""
    couple = db.session.get(Couple, version.couple_id)
    versions = db.session.execute(
        select(PlanVersion.id, PlanVersion.number, PlanVersion.status)
        .where(PlanVersion.plan_id == version.plan_id)
        .order_by(PlanVersion.number.desc())
    ).all()
    verified = signing.verified(version)
    if version.is_signed and not verified:
        audit.record(
            "plan.integrity_failure",
            actor=actor,
            object_type="plan_version",
            object_id=version.id,
            couple_id=version.couple_id,
            outcome="failure",
        )
    return VersionPage(
        version,
        couple,
        goal_views(version),
        [tuple(r) for r in versions],
        verified,
        cosignature_for(SignedKind.PLAN, version.id),
    )
