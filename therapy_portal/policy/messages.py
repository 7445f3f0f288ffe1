"""Who may read and write which message thread. Deny by default; misses are 404s.

| thread                 | partner A | partner B | the couple's therapists | anyone else |
|------------------------|-----------|-----------|-------------------------|-------------|
| the couple's thread    | yes       | yes       | yes (primary and co)    | no          |
| A's private thread     | yes       | never     | yes                     | no          |
| B's private thread     | never     | yes       | yes                     | no          |

"Never" includes its existence: a partner's pages, counts, JSON and emails are built only from
`threads_for_partner`, which cannot return the other partner's private thread. Partners address
their threads by kind ("couple" or "private", their own), never by id, so no URL a partner sees
numbers threads. Read receipts and "mark as handled" are the therapists' alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Role, User
from therapy_portal.models.messages import MessageThread, ThreadScope
from therapy_portal.policy.couples import couple_for_therapist_or_404, membership_for_partner

PARTNER_KINDS = ("couple", "private")


@dataclass(frozen=True)
class ThreadPlace:
    """A thread as one reader reaches it: the thread row may not exist before its first message."""

    couple: Couple
    scope: str  # "couple", "A" or "B"
    partner_id: int | None  # whose private thread, or None for the couple's
    thread: MessageThread | None

    @property
    def is_private(self) -> bool:
        return self.scope != ThreadScope.COUPLE


def threads_for_partner(user: User) -> Select[tuple[MessageThread]]:
    """The couple's thread and the partner's own private thread; nothing else, ever."""
    if user.role != Role.CLIENT:
        return select(MessageThread).where(False)
    couple_ids = select(CoupleMember.couple_id).where(
        CoupleMember.user_id == user.id, CoupleMember.practice_id == user.practice_id
    )
    return select(MessageThread).where(
        MessageThread.practice_id == user.practice_id,
        MessageThread.couple_id.in_(couple_ids),
        or_(MessageThread.scope == ThreadScope.COUPLE, MessageThread.partner_id == user.id),
    )


def threads_for_therapist(user: User) -> Select[tuple[MessageThread]]:
    """Every thread of the couples the therapist treats (primary or co-therapist)."""
    if user.role != Role.THERAPIST:
        return select(MessageThread).where(False)
    return select(MessageThread).where(
        MessageThread.practice_id == user.practice_id,
        exists().where(
            CoupleTherapist.couple_id == MessageThread.couple_id,
            CoupleTherapist.therapist_id == user.id,
        ),
    )


def thread_for_partner_or_404(user: User, kind: str) -> ThreadPlace:
    """The partner's couple thread (`kind` "couple") or their own private thread ("private")."""
    member = membership_for_partner(user)
    if member is None or kind not in PARTNER_KINDS:
        audit.record_denied("message_thread.access", actor=user, object_type="message_thread")
        raise NotAllowed("not found")
    audit.reading_couple(member.couple_id)
    couple = db.session.scalar(
        select(Couple)
        .where(Couple.id == member.couple_id)
        .options(selectinload(Couple.members), selectinload(Couple.therapists))
    )
    scope = ThreadScope.COUPLE if kind == "couple" else ThreadScope(member.label)
    partner_id = None if kind == "couple" else user.id
    stmt = threads_for_partner(user).where(MessageThread.scope == scope)
    return ThreadPlace(couple, scope, partner_id, db.session.scalar(stmt))


def thread_for_therapist_or_404(user: User, couple_id: int, scope: str) -> ThreadPlace:
    """One of a treated couple's threads: "couple", or partner "A"'s or "B"'s private one."""
    couple = couple_for_therapist_or_404(user, couple_id)
    partner_id = None
    if scope != ThreadScope.COUPLE:
        member = next((m for m in couple.members if m.label == scope), None)
        if member is None:
            audit.record_denied(
                "message_thread.access", actor=user, object_type="couple", object_id=couple_id
            )
            raise NotAllowed("not found")
        partner_id = member.user_id
    stmt = threads_for_therapist(user).where(
        MessageThread.couple_id == couple.id, MessageThread.scope == scope
    )
    return ThreadPlace(couple, scope, partner_id, db.session.scalar(stmt))


def reader_ids(place: ThreadPlace) -> list[int]:
    """Everyone who may read the thread: the couple's therapists, and its partner(s)."""
    ids = [t.therapist_id for t in place.couple.therapists]
    if place.is_private:
        return [*ids, place.partner_id]
    return ids + [m.user_id for m in place.couple.members]


def partner_ids(place: ThreadPlace) -> list[int]:
    if place.is_private:
        return [place.partner_id]
    return [m.user_id for m in place.couple.members]


def can_see_receipts(user: User) -> bool:
    """When each partner read: the therapists only. Partners never learn who read what."""
    return user.role == Role.THERAPIST


def can_mark_handled(user: User) -> bool:
    return user.role == Role.THERAPIST


def can_post(couple: Couple) -> bool:
    """Messages go to active couples only; a closed couple's threads stay readable."""
    return couple.is_active
