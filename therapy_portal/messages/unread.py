"""Unread counts and the therapist's inbox: each a fixed number of statements, whatever the
caseload or the number of messages.

`unread_for_therapist` and `unread_for_partner` are what the Today page and the partner's home
show; both count only threads the policy's scoped statements return, so a partner's counts
never include the other partner's private thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from therapy_portal import prepared
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role, User
from therapy_portal.models.messages import Message, MessageRead, MessageThread, ThreadScope
from therapy_portal.pagination import Page, keyset_page
from therapy_portal.policy import messages as rules

INBOX_PER_PAGE = 25


@dataclass(frozen=True)
class UnreadThread:
    couple_id: int
    scope: str  # "couple", "A" or "B"
    unread: int


def _unread_counts(user: User, threads: Select) -> Select:
    """(thread id, couple id, scope, unread) for `user` over the scoped `threads` statement."""
    scoped = threads.with_only_columns(MessageThread.id).scalar_subquery()
    return (
        select(
            MessageThread.id,
            MessageThread.couple_id,
            MessageThread.scope,
            func.count(Message.id),
        )
        .join(Message, Message.thread_id == MessageThread.id)
        .outerjoin(
            MessageRead,
            and_(MessageRead.thread_id == MessageThread.id, MessageRead.user_id == user.id),
        )
        .where(
            MessageThread.id.in_(scoped),
            Message.author_id != user.id,
            Message.id > func.coalesce(MessageRead.last_read_message_id, 0),
        )
        .group_by(MessageThread.id, MessageThread.couple_id, MessageThread.scope)
    )


def unread_for_therapist(therapist: User, couple_id: int | None = None) -> list[UnreadThread]:
    """Every thread of the therapist's couples (or of one couple) with messages they have not
    read, sorted by couple and scope: one query."""
    if couple_id is not None:
        threads = rules.threads_for_therapist(therapist).where(MessageThread.couple_id == couple_id)
        rows = db.session.execute(_unread_counts(therapist, threads))
    elif therapist.role != Role.THERAPIST:
        return []
    else:  # the Today page's: the statement is built once per process
        return prepared.run(unread_for_therapist_read(therapist))
    return _threads(rows)


def unread_for_therapist_read(therapist: User) -> prepared.Read[list[UnreadThread]]:
    """The therapist's unread threads (every couple) as a read to run with others."""
    return prepared.Read(
        prepared.statement(
            "messages.unread_for_therapist",
            lambda who: _unread_counts(who, rules.threads_for_therapist(who)),
        ),
        prepared.params(therapist),
        _threads,
    )


def _threads(rows) -> list[UnreadThread]:
    return sorted(
        (UnreadThread(couple_id, scope, count) for _, couple_id, scope, count in rows),
        key=lambda u: (u.couple_id, u.scope),
    )


def unread_for_partner(user: User) -> dict[str, int]:
    """{"couple": n, "private": m}: the partner's two threads only (one query)."""
    counts = {"couple": 0, "private": 0}
    for _, _, scope, count in db.session.execute(
        _unread_counts(user, rules.threads_for_partner(user))
    ):
        counts["couple" if scope == ThreadScope.COUPLE else "private"] = count
    return counts


@dataclass(frozen=True)
class InboxRow:
    thread_id: int
    couple_id: int
    couple_name: str
    scope: str
    partner_name: str | None
    last_message_at: datetime
    handled: bool
    unread: int


def inbox(therapist: User, after: int | None) -> Page[InboxRow]:
    """Threads with messages, latest first, a keyset page at a time (two queries)."""
    partner = aliased(User)
    stmt = (
        rules.threads_for_therapist(therapist)
        .where(MessageThread.last_message_at.is_not(None))
        .join(Couple, Couple.id == MessageThread.couple_id)
        .outerjoin(partner, partner.id == MessageThread.partner_id)
        .add_columns(Couple.display_name, partner.name)
    )
    page = keyset_page(
        stmt,
        [MessageThread.last_message_at],
        MessageThread.id,
        after=after,
        per_page=INBOX_PER_PAGE,
        descending=True,
        rows=True,
        id_of=lambda row: row[0].id,
    )
    ids = [row[0].id for row in page.items]
    unread = {}
    if ids:
        shown = rules.threads_for_therapist(therapist).where(MessageThread.id.in_(ids))
        unread = {tid: n for tid, _, _, n in db.session.execute(_unread_counts(therapist, shown))}
    items = [
        InboxRow(
            t.id,
            t.couple_id,
            name,
            t.scope,
            partner_name,
            t.last_message_at,
            t.handled_at is not None,
            unread.get(t.id, 0),
        )
        for t, name, partner_name in page.items
    ]
    return Page(items, page.after, page.next_after, page.total)
