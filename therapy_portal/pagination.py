"""Keyset pagination: the one way a list that grows without bound is cut into pages.

A page is asked for by the id of the last row the previous page showed (``after``), never by an
offset: the database seeks to that row's sort key through the list's index, so the hundredth
page costs what the first one costs. The sort key is read back from the row inside the same SQL
statement, through the caller's scoped statement, so a URL carries only an id (never a name or a
date), and an id outside the actor's list gives an empty page, not someone else's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, tuple_

from therapy_portal.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    after: int | None  # the cursor this page was asked with; None for the first page
    next_after: int | None  # the cursor of the next page; None on the last page
    total: int | None = None  # rows in the whole list, when the caller asked for a count
    before: int | None = None  # the cursor of a page asked for backwards (``before=``)
    prev_before: int | None = None  # the cursor of the previous page; None when none is known

    @property
    def is_first(self) -> bool:
        return self.after is None and self.before is None

    @property
    def has_more(self) -> bool:
        return self.next_after is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_before is not None


def count_rows(stmt: Select) -> int:
    """Rows a (scoped) statement returns, counted in the database."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _beyond(
    stmt: Select, keys: list[ColumnElement[Any]], cursor: int, forward: bool
) -> ColumnElement[bool]:
    """Rows past the cursor's row, ``forward`` meaning towards larger keys. The cursor row's
    keys are read inside the statement, through the scoped ``stmt``: a cursor outside it gives
    no rows."""
    anchor = stmt.with_only_columns(*keys).where(keys[-1] == cursor)
    anchor = anchor.correlate(None).scalar_subquery()
    return tuple_(*keys) > anchor if forward else tuple_(*keys) < anchor


def keyset_page(
    stmt: Select,
    order: Sequence[ColumnElement[Any]],
    id_column: ColumnElement[int],
    *,
    after: int | None,
    per_page: int,
    before: int | None = None,
    descending: bool = False,
    options: Sequence[Any] = (),
    rows: bool = False,
    count: bool = False,
    id_of: Callable[[Any], int] = lambda item: item.id,
) -> Page[Any]:
    """One page of ``stmt`` sorted by ``order`` then ``id_column`` (all ascending, or all
    descending): the rows after the row whose id is ``after``, or (walking back) the rows just
    before the row whose id is ``before``, still in list order. One statement; ``per_page + 1``
    rows are read to know whether the list goes on in the direction read.

    ``Page.next_after`` and ``Page.prev_before`` are the cursors of the next and the previous
    page (``prev_before`` is set on any page asked for with a cursor, so a list can offer
    "previous" links; it needs its view to pass ``before``). ``rows=True`` returns result rows
    (for statements of several columns) instead of scalars; ``count=True`` adds a second
    statement that counts the whole list (``Page.total``).
    """
    keys = [*order, id_column]
    backwards = before is not None and after is None
    cursor = before if backwards else after
    listed = stmt
    if cursor is not None:
        listed = listed.where(_beyond(stmt, keys, cursor, forward=descending == backwards))
    reverse = descending != backwards  # read newest-first, or back towards the list's start
    listed = listed.order_by(*(k.desc() if reverse else k for k in keys)).limit(per_page + 1)
    if options:
        listed = listed.options(*options)
    # Entities come back unique, so a caller may joinedload a collection (one statement).
    result = db.session.execute(listed) if rows else db.session.scalars(listed).unique()
    items = list(result.all())
    more = len(items) > per_page
    items = items[:per_page]
    total = count_rows(stmt) if count else None
    first, last = (id_of(items[0]), id_of(items[-1])) if items else (None, None)
    if backwards:
        items.reverse()
        return Page(items, None, first, total, before, last if more else None)
    return Page(
        items, after, last if more else None, total, None, first if after is not None else None
    )


def page_of_loaded(
    items: Sequence[T], *, after: int | None, per_page: int, id_of: Callable[[T], int]
) -> Page[T]:
    """The same cursor contract for a list already in memory (sorted by the caller)."""
    start = 0
    if after is not None:
        ids = [id_of(item) for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    shown = list(items[start : start + per_page])
    more = start + per_page < len(items)
    return Page(shown, after, id_of(shown[-1]) if more and shown else None, len(items))
