"""The therapist's lists after assigning: per-couple counts, the review queue, a couple's
assignments. Counts come from one grouped statement (`counts_for_couples`), used by the caseload,
the couple page and the queue. The review page itself is in `review_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import joinedload

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import Couple, CoupleMember, CoupleStatus, User
from therapy_portal.models.homework import (
    Assignment,
    AssignmentStatus,
    Occurrence,
    Response,
)
from therapy_portal.models.vocabulary import Mode, Progress, Slot
from therapy_portal.pagination import Page, keyset_page

PER_PAGE = 25
OVERDUE_SHOWN = 25


@dataclass(frozen=True)
class HomeworkCounts:
    to_review: int = 0
    overdue: int = 0


def _done_and_expected():
    """Per occurrence: answers submitted (a counter on the row) and answers it needs (one for
    a joint assignment, else one per partner), read per row, never grouped over a table."""
    members = (
        select(func.count())
        .where(CoupleMember.couple_id == Occurrence.couple_id)
        .correlate(Occurrence)
        .scalar_subquery()
    )
    return Occurrence.submitted_count, case((Assignment.mode == Mode.JOINT, 1), else_=members)


# The partial indexes' predicates are written with SQL constants, not bind parameters: psycopg
# prepares a statement after its fifth run and PostgreSQL then plans it once for any parameter
# values (a generic plan), which can use a partial index only if the query's own condition
# proves the index's. With `submitted_count < %(param)s` the generic plan read the whole
# `occurrence` table (tests/core/test_query_plans.py checks generic plans too).
_NONE_SUBMITTED = literal_column("0")
_BOTH_SUBMITTED = literal_column("2")


def _waiting():
    """Submitted and not yet reviewed: the rows `ix_occurrence_waiting` holds."""
    return Occurrence.reviewed_at.is_(None) & (Occurrence.submitted_count > _NONE_SUBMITTED)


def _open(today: date):
    """Due before today with fewer than two answers: the rows `ix_occurrence_open` holds."""
    return (Occurrence.submitted_count < _BOTH_SUBMITTED) & (Occurrence.due_on < today)


def _overdue_condition(today: date):
    # Nothing submitted is short of what any assignment needs (every couple has a member from
    # its creation on, and members are never removed), so the member count is asked only of
    # rows with one answer in: PostgreSQL stops at the OR's first true branch. Most overdue rows
    # have none, and the count was a probe of couple_member per row (266 on the benchmark's
    # Today page, about a quarter of its homework statement's time).
    done, expected = _done_and_expected()
    short = (done == _NONE_SUBMITTED) | (done < expected)
    return _open(today) & (Assignment.status == AssignmentStatus.ACTIVE) & short


def _base(actor: User):
    # The couple's practice is the occurrence's already; saying so lets PostgreSQL reach the
    # couples through `ix_couple_practice_id` when it filters them by status, where it read
    # every practice's couples before (a sequential scan of 16,000 rows on the benchmark's
    # large database: the overdue list took 2.4 ms there, 1.65 ms with this).
    return (
        policy.occurrences_for_therapist(actor)
        .join(Assignment, Assignment.id == Occurrence.assignment_id)
        .join(
            Couple,
            (Couple.id == Occurrence.couple_id) & (Couple.practice_id == actor.practice_id),
        )
    )


def counts_for_couples(actor: User, couple_ids: list[int]) -> dict[int, HomeworkCounts]:
    """{couple id: to review, overdue} for the therapist's couples, in ONE grouped statement
    over those couples' occurrences only."""
    if not couple_ids:
        return {}
    to_review = func.sum(case((_waiting(), 1), else_=0))
    today = practice_today(actor)
    overdue = func.sum(
        case((_overdue_condition(today) & (Couple.status == CoupleStatus.ACTIVE), 1), else_=0)
    )
    stmt = (
        _base(actor)
        .with_only_columns(Occurrence.couple_id, to_review, overdue)
        .where(Occurrence.couple_id.in_(couple_ids), _waiting() | _open(today))
        .group_by(Occurrence.couple_id)
    )
    return {cid: HomeworkCounts(int(r or 0), int(o or 0)) for cid, r, o in db.session.execute(stmt)}


@dataclass(frozen=True)
class QueueItem:
    occurrence: Occurrence
    since: Any  # oldest submission time waiting for review, or the due date when overdue


@dataclass(frozen=True)
class ReviewQueue:
    items: list[QueueItem]
    page: Page
    overdue: list[QueueItem]
    overdue_total: int


def _load(ids: list[int]) -> dict[int, Occurrence]:
    if not ids:
        return {}
    return {
        o.id: o
        for o in db.session.scalars(
            select(Occurrence)
            .where(Occurrence.id.in_(ids))
            .options(
                joinedload(Occurrence.assignment).joinedload(Assignment.version),
                joinedload(Occurrence.assignment).joinedload(Assignment.couple),
            )
        )
    }


def review_queue(actor: User, after: int | None = None) -> ReviewQueue:
    """Submitted and unreviewed (oldest first, a keyset page), then the oldest overdue: four
    statements at any size, each reading only the therapist's couples' occurrences."""
    waiting = (
        policy.occurrences_for_therapist(actor)
        .where(_waiting())
        .with_only_columns(Occurrence.id, Occurrence.waiting_since)
    )
    page = keyset_page(
        waiting,
        [Occurrence.waiting_since],
        Occurrence.id,
        after=after,
        per_page=PER_PAGE,
        rows=True,
        count=True,
        id_of=lambda row: row[0],
    )
    late_rows = db.session.execute(
        _base(actor)
        .where(_overdue_condition(practice_today(actor)), Couple.status == CoupleStatus.ACTIVE)
        .with_only_columns(Occurrence.id, Occurrence.due_on, func.count().over())
        .order_by(Occurrence.due_on, Occurrence.id)
        .limit(OVERDUE_SHOWN)
    ).all()
    loaded = _load([r[0] for r in page.items] + [r[0] for r in late_rows])
    return ReviewQueue(
        [QueueItem(loaded[i], at) for i, at in page.items],
        page,
        [QueueItem(loaded[i], due) for i, due, _ in late_rows],
        late_rows[0][2] if late_rows else 0,
    )


# ---------------------------------------------------------------------------- couple pages
@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    occurrences: int
    to_review: int
    overdue: int
    next_due: date | None


def couple_assignments(actor: User, couple: Couple) -> list[AssignmentRow]:
    """The couple's assignments with per-assignment counts (two statements)."""
    done, expected = _done_and_expected()
    today = practice_today(actor)
    stmt = (
        _base(actor)
        .with_only_columns(
            Occurrence.assignment_id,
            func.count(),
            func.sum(case((_waiting(), 1), else_=0)),
            func.sum(case((_overdue_condition(today), 1), else_=0)),
            func.min(
                case(
                    ((Occurrence.due_on >= today) & (done < expected), Occurrence.due_on),
                    else_=None,
                )
            ),
        )
        .where(Occurrence.couple_id == couple.id)
        .group_by(Occurrence.assignment_id)
    )
    stats = {row[0]: row[1:] for row in db.session.execute(stmt)}
    assignments = db.session.scalars(
        policy.assignments_for_therapist(actor)
        .where(Assignment.couple_id == couple.id)
        .options(joinedload(Assignment.version))
        .order_by(Assignment.status, Assignment.created_at.desc(), Assignment.id.desc())
    )
    rows = []
    for assignment in assignments:
        count, review, late, next_due = stats.get(assignment.id, (0, 0, 0, None))
        rows.append(AssignmentRow(assignment, count, int(review or 0), int(late or 0), next_due))
    return rows


@dataclass(frozen=True)
class OccurrenceRow:
    """One piece of homework on the assignment page: where each expected answer stands."""

    occurrence: Occurrence
    progress: dict[Slot, Progress]
    has_submitted: bool


def assignment_occurrences(actor: User, assignment: Assignment) -> list[OccurrenceRow]:
    """Each occurrence with where its answers stand (status only is shown: two statements)."""
    occurrences = list(
        db.session.scalars(
            select(Occurrence)
            .where(Occurrence.assignment_id == assignment.id)
            .order_by(Occurrence.sequence)
        )
    )
    by_occ: dict[int, dict[str, Response]] = {o.id: {} for o in occurrences}
    for response in db.session.scalars(
        select(Response).where(Response.occurrence_id.in_(list(by_occ)))
    ):
        by_occ[response.occurrence_id][response.author_label] = response
    slots = policy.expected_slots(assignment.mode)
    return [
        OccurrenceRow(
            o,
            {slot: policy.response_progress(by_occ[o.id].get(slot)) for slot in slots},
            any(r.is_submitted for r in by_occ[o.id].values()),
        )
        for o in occurrences
    ]
