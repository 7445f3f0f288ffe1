"""Plans due for review: the current version of each plan of the therapist's caseload whose
review date is within the next `REVIEW_WINDOW_DAYS` days or past (the Today page lists them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, bindparam, func, select

from therapy_portal import prepared
from therapy_portal.models import Couple, User
from therapy_portal.models.plans import PlanVersion
from therapy_portal.policy import plans as plan_policy

REVIEW_WINDOW_DAYS = 7


@dataclass(frozen=True)
class DueReview:
    version_id: int
    couple_name: str
    review_on: date
    overdue: bool


def due_for_review_read(
    therapist: User, today: date, limit: int = 50
) -> prepared.Read[tuple[list[DueReview], int]]:
    """The first `limit` plans due for review, soonest first, and how many there are (one
    statement, built once per process: the total rides along as a window count), as a read to
    run with the Today page's others."""

    def due(rows) -> tuple[list[DueReview], int]:
        total = rows[0][3] if rows else 0
        return [DueReview(i, name, on, on < today) for i, name, on, _ in rows], total

    return prepared.Read(
        prepared.statement(f"plans.due_for_review.{limit}", lambda who: _due(who, limit)),
        prepared.params(therapist, until=today + timedelta(days=REVIEW_WINDOW_DAYS)),
        due,
    )


def _due(therapist, limit: int):
    versions = plan_policy.plan_versions_for_therapist(therapist).subquery()
    newest = (
        select(versions.c.plan_id, func.max(versions.c.number).label("number"))
        .group_by(versions.c.plan_id)
        .subquery()
    )
    return (
        select(PlanVersion.id, Couple.display_name, PlanVersion.review_on, func.count().over())
        .join(
            newest,
            (newest.c.plan_id == PlanVersion.plan_id) & (newest.c.number == PlanVersion.number),
        )
        .join(Couple, Couple.id == PlanVersion.couple_id)
        .where(PlanVersion.review_on <= bindparam("until", type_=Date))
        .order_by(PlanVersion.review_on, PlanVersion.id)
        .limit(prepared.constant(limit))
    )
