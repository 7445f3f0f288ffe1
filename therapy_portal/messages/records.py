"""Messages in a records request, by the same per-partner rule as session notes.

The full record (released with every partner's authorization) carries every thread. Partner X's
own copy carries the couple's thread and X's own private thread, never the other partner's:
the threads come from the policy's `threads_for_partner` for X, so the rule is stated once.
Registered with the notes area's `record_provider`; nothing in the notes area names messages.
"""

from __future__ import annotations

from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, Practice, Role
from therapy_portal.models.messages import Message, MessageThread, ThreadScope
from therapy_portal.notes.digest import DigestSection
from therapy_portal.policy import messages as rules
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates

TITLES = {
    ThreadScope.COUPLE: "Messages: the couple's thread",
    ThreadScope.A: "Messages: partner A's private thread",
    ThreadScope.B: "Messages: partner B's private thread",
}


def _threads(couple: Couple, partner_label: str | None) -> list[MessageThread]:
    if partner_label is None:
        stmt = select(MessageThread).where(
            MessageThread.couple_id == couple.id, MessageThread.practice_id == couple.practice_id
        )
    else:
        member = db.session.scalar(
            select(CoupleMember).where(
                CoupleMember.couple_id == couple.id, CoupleMember.label == partner_label
            )
        )
        if member is None:
            return []
        stmt = rules.threads_for_partner(member.user)
    return list(db.session.scalars(stmt.order_by(MessageThread.scope)))


def _author(message: Message, labels: dict[int, str]) -> str:
    if message.author.role == Role.CLIENT:
        return f"Partner {labels.get(message.author_id, '?')}"
    return message.author.display_with_credentials


def messages_record(couple: Couple, partner_label: str | None) -> list[DigestSection]:
    """One section per thread the copy may carry, each message as "when, who: text"."""
    threads = _threads(couple, partner_label)
    if not threads:
        return []
    labels = dict(
        db.session.execute(
            select(CoupleMember.user_id, CoupleMember.label).where(
                CoupleMember.couple_id == couple.id
            )
        ).all()
    )
    zone = practice_zone(db.session.get(Practice, couple.practice_id).timezone)
    by_thread: dict[int, list[str]] = {t.id: [] for t in threads}
    for message in db.session.scalars(
        select(Message).where(Message.thread_id.in_(by_thread)).order_by(Message.id)
    ):
        when = dates.when(message.created_at, zone)
        by_thread[message.thread_id].append(f"{when}, {_author(message, labels)}: {message.body}")
    return [DigestSection(TITLES[t.scope], by_thread[t.id]) for t in threads if by_thread[t.id]]
