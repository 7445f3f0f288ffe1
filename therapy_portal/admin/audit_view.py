"""The admin's audit viewer: filters, keyset paging and a CSV export (itself audited).

Filters are identifiers only (a person, a couple, an action, a date range), so they can travel
in the URL. The log is listed newest first and cut into keyset pages (`pagination.keyset_page`):
`after=<id>` asks for the older events that follow that event, `before=<id>` for the newer ones
that precede it, so a page costs the same however deep it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, Role, User
from therapy_portal.pagination import Page, keyset_page
from therapy_portal.timezones import practice_zone

PER_PAGE = 50
CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "couple_id",
    "outcome",
    "request_id",
    "ip",
    "chain_seq",
    "hash",
)


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    couple_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    actors: dict[int, str]
    page: Page[AuditEvent]

    @property
    def older(self) -> int | None:
        """`after=` for the page of older events, if any."""
        return self.page.next_after

    @property
    def newer(self) -> int | None:
        """`before=` for the page of newer events, if any."""
        return self.page.prev_before


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed("not found")


def _filtered(actor: User, f: AuditFilter) -> Select[tuple[AuditEvent]]:
    stmt = select(AuditEvent).where(AuditEvent.practice_id == actor.practice_id)
    zone = practice_zone(actor.practice.timezone)
    if f.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == f.actor_id)
    if f.couple_id:
        stmt = stmt.where(AuditEvent.couple_id == f.couple_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.date_from:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(f.date_from, time(), zone))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time(), zone)
        stmt = stmt.where(AuditEvent.at < end)
    return stmt


def _actor_labels(events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def page(
    actor: User, f: AuditFilter, *, before: int | None = None, after: int | None = None
) -> AuditPage:
    """One page of events, newest first; the viewing itself is an audit event."""
    _require_admin(actor)
    listed = keyset_page(
        _filtered(actor, f),
        [],
        AuditEvent.id,
        after=after,
        before=before,
        per_page=PER_PAGE,
        descending=True,
    )
    audit.record("admin.audit_view", actor=actor, object_type="audit_log", count=len(listed.items))
    return AuditPage(listed.items, _actor_labels(listed.items), listed)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell that starts like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(actor: User, f: AuditFilter) -> Iterator[str]:
    """Every matching event as CSV lines, oldest first, read in batches; the export is audited."""
    _require_admin(actor)
    # Recorded before the first line is read; the request boundary commits it when the view
    # returns, before the response streams.
    audit.record("admin.audit_export", actor=actor, object_type="audit_log", format="csv")
    emails = dict(
        db.session.execute(
            select(User.id, User.email).where(User.practice_id == actor.practice_id)
        ).all()
    )
    stmt = _filtered(actor, f).order_by(AuditEvent.id).execution_options(yield_per=500)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for e in db.session.scalars(stmt):
            row = {c: getattr(e, c, None) for c in CSV_COLUMNS}
            row["at"] = e.at.isoformat()
            row["actor"] = emails.get(e.actor_id, "")
            writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    return lines()


def filter_choices(actor: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """People (staff by name, clients by number only) and couples of the practice."""
    _require_admin(actor)
    users = db.session.execute(
        select(User.id, User.name, User.role)
        .where(User.practice_id == actor.practice_id)
        .order_by(User.role, User.name)
    ).all()
    people = [(i, name if role != Role.CLIENT else f"Client #{i}") for i, name, role in users]
    couples = db.session.execute(
        select(Couple.id, Couple.display_name)
        .where(Couple.practice_id == actor.practice_id)
        .order_by(Couple.display_name)
    ).all()
    return people, [tuple(c) for c in couples]
