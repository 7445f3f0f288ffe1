"""The review queue's summary for the Today page: the first few of each list with totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, bindparam, func, select

from therapy_portal import policy, prepared
from therapy_portal.homework.services.common import practice_today
from therapy_portal.homework.services.review import _base, _overdue_condition, _waiting
from therapy_portal.models import Couple, CoupleStatus, User
from therapy_portal.models.homework import Assignment, ExerciseVersion, Occurrence


@dataclass(frozen=True)
class SummaryItem:
    occurrence_id: int
    assignment_id: int
    couple_name: str
    title: str
    since: Any  # as in QueueItem


@dataclass(frozen=True)
class QueueSummary:
    waiting: list[SummaryItem]
    waiting_total: int
    overdue: list[SummaryItem]
    overdue_total: int


def _first(listed, since, shown: int):
    """The first `shown` of `listed` by (since, id) with the total, then names and titles
    joined to those rows only (joined before the limit, PostgreSQL read all 16,000 couples of
    the large bench database to name ten rows)."""
    page = (
        listed.with_only_columns(
            Occurrence.id,
            Occurrence.assignment_id,
            Occurrence.couple_id,
            since.label("since"),
            func.count().over().label("total"),
        )
        .order_by(since, Occurrence.id)
        .limit(prepared.constant(shown))
        .subquery()
    )
    return (
        select(page.c.id, page.c.assignment_id, Couple.display_name, ExerciseVersion.title)
        .add_columns(page.c.since, page.c.total)
        .join(Couple, Couple.id == page.c.couple_id)
        .join(Assignment, Assignment.id == page.c.assignment_id)
        .join(ExerciseVersion, ExerciseVersion.id == Assignment.version_id)
        .order_by(page.c.since, page.c.id)
    )


def _waiting_first(who, shown: int):
    return _first(
        policy.occurrences_for_therapist(who).where(_waiting()), Occurrence.waiting_since, shown
    )


def _overdue_first(who, shown: int):
    today = bindparam("today", type_=Date)
    overdue = _base(who).where(_overdue_condition(today), Couple.status == CoupleStatus.ACTIVE)
    return _first(overdue, Occurrence.due_on, shown)


def _summary_rows(stmt, values: dict) -> tuple[list[SummaryItem], int]:
    rows = prepared.rows(stmt, values)
    return [SummaryItem(*row[:5]) for row in rows], rows[0][5] if rows else 0


def queue_summary(actor: User, shown: int) -> QueueSummary:
    """The review queue's first `shown` of each list with their totals, as plain rows, in two
    statements built once per process (`prepared`), instead of `review_queue`'s four."""
    waiting = prepared.statement(
        f"homework.queue_waiting.{shown}", lambda who: _waiting_first(who, shown)
    )
    overdue = prepared.statement(
        f"homework.queue_overdue.{shown}", lambda who: _overdue_first(who, shown)
    )
    return QueueSummary(
        *_summary_rows(waiting, prepared.params(actor)),
        *_summary_rows(overdue, prepared.params(actor, today=practice_today(actor))),
    )
