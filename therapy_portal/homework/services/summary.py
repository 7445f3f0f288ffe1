"""The review queue's summary for the Today page: the first few of each list with totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, bindparam, func, literal_column, null, select, union_all

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


def _first(listed, since, shown: int, kind: int):
    """The first `shown` of `listed` by (since, id) with the total, then names and titles
    joined to those rows only (joined before the limit, PostgreSQL read all 16,000 couples of
    the large bench database to name ten rows). `kind` 0 lists answers waiting (a moment in
    `waiting_since`), 1 overdue work (a day in `due_on`): both lists go in one statement."""
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
    waiting_since = page.c.since if kind == 0 else null().cast(Occurrence.waiting_since.type)
    due_on = page.c.since if kind == 1 else null().cast(Date)
    return (
        select(page.c.id, page.c.assignment_id, Couple.display_name, ExerciseVersion.title)
        .add_columns(
            waiting_since.label("waiting_since"),
            due_on.label("due_on"),
            page.c.total,
            literal_column(str(kind)).label("kind"),
        )
        .join(Couple, Couple.id == page.c.couple_id)
        .join(Assignment, Assignment.id == page.c.assignment_id)
        .join(ExerciseVersion, ExerciseVersion.id == Assignment.version_id)
    )


def _waiting_first(who, shown: int):
    return _first(
        policy.occurrences_for_therapist(who).where(_waiting()),
        Occurrence.waiting_since,
        shown,
        kind=0,
    )


def _overdue_first(who, shown: int):
    today = bindparam("today", type_=Date)
    overdue = _base(who).where(_overdue_condition(today), Couple.status == CoupleStatus.ACTIVE)
    return _first(overdue, Occurrence.due_on, shown, kind=1)


def _both_first(who, shown: int):
    """Both lists in one round trip: a statement less on every Today page."""
    both = union_all(_waiting_first(who, shown), _overdue_first(who, shown)).subquery()
    return select(both).order_by(both.c.kind, both.c.waiting_since, both.c.due_on, both.c.id)


def queue_summary(actor: User, shown: int) -> QueueSummary:
    """The review queue's first `shown` of each list with their totals, as plain rows, in one
    statement built once per process (`prepared`), instead of `review_queue`'s four."""
    return prepared.run(queue_summary_read(actor, shown))


def queue_summary_read(actor: User, shown: int) -> prepared.Read[QueueSummary]:
    """`queue_summary` as a read to run with others."""
    return prepared.Read(
        prepared.statement(f"homework.queue_summary.{shown}", lambda who: _both_first(who, shown)),
        prepared.params(actor, today=practice_today(actor)),
        _summary,
    )


def _summary(rows) -> QueueSummary:
    lists: tuple[list[SummaryItem], list[SummaryItem]] = ([], [])
    totals = [0, 0]
    for occurrence_id, assignment_id, name, title, waiting_since, due_on, total, kind in rows:
        since = waiting_since if kind == 0 else due_on
        lists[kind].append(SummaryItem(occurrence_id, assignment_id, name, title, since))
        totals[kind] = total
    return QueueSummary(lists[0], totals[0], lists[1], totals[1])
