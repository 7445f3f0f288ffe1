"""Use cases of secure messages: send, read a thread (keyset pages), mark a thread handled.

Services take the `ThreadPlace` a scoped loader in `policy/messages.py` returned, so who may
read a thread is decided once, there. They flush, never commit; audit events carry ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from therapy_portal import audit
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext, number
from therapy_portal.messages import notify
from therapy_portal.models import Role, User, utcnow
from therapy_portal.models.messages import BODY_LIMIT, Message, MessageRead, MessageThread
from therapy_portal.pagination import Page, keyset_page
from therapy_portal.policy import messages as rules

PER_PAGE = 20
EMPTY = N_("Write a message before sending.")
CLOSED = N_(
    "This couple's work with the practice has ended, so new messages can't be sent here. "
    "Please contact the practice by phone."
)


def too_long(length: int) -> str:
    return gettext(
        "Keep your message to %(limit)s characters or fewer (this one has %(length)s).",
        limit=number(BODY_LIMIT),
        length=number(length),
    )


def check_body(place: rules.ThreadPlace, body: str | None) -> str:
    """The text to store, or a refusal that names the field (the form keeps what was typed)."""
    text = (body or "").replace("\r\n", "\n")
    if not text.strip():
        raise ValidationFailed(gettext(EMPTY), field="body")
    if len(text) > BODY_LIMIT:
        raise ValidationFailed(too_long(len(text)), field="body")
    if not rules.can_post(place.couple):
        raise ValidationFailed(gettext(CLOSED), field="body")
    return text


def _thread(place: rules.ThreadPlace) -> MessageThread:
    """The place's thread, made on its first message (two first messages at once make one)."""
    if place.thread is not None:
        return place.thread
    thread = MessageThread(
        practice_id=place.couple.practice_id,
        couple_id=place.couple.id,
        scope=place.scope,
        partner_id=place.partner_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(thread)
    except IntegrityError:
        thread = db.session.scalar(
            select(MessageThread).where(
                MessageThread.couple_id == place.couple.id, MessageThread.scope == place.scope
            )
        )
    return thread


def send(actor: User, place: rules.ThreadPlace, body: str | None) -> Message:
    """Add a message to the thread and tell its other readers by email, without PHI.

    Refuses an empty message, one over `BODY_LIMIT` characters and one to a closed couple. A
    partner's message takes the thread off the therapists' "handled" list again.
    """
    if actor.id not in rules.reader_ids(place):
        raise NotAllowed("not found")
    text = check_body(place, body)
    thread = _thread(place)
    now = utcnow()
    message = Message(
        practice_id=thread.practice_id, thread_id=thread.id, author_id=actor.id, body=text
    )
    db.session.add(message)
    thread.last_message_at = now
    if actor.role == Role.CLIENT:
        thread.handled_at, thread.handled_by_id = None, None
    db.session.flush()
    _place_of(actor, thread).last_read_message_id = message.id  # one's own message is read
    audit.record(
        "message.send",
        actor=actor,
        object_type="message_thread",
        object_id=thread.id,
        couple_id=thread.couple_id,
        kind="private" if place.is_private else "couple",
    )
    notify.new_message(thread, rules.reader_ids(place), actor, now)
    return message


def _place_of(user: User, thread: MessageThread) -> MessageRead:
    return notify.place_of(thread, user.id)


@dataclass(frozen=True)
class Receipt:
    """When one partner last read the thread, and up to which message (therapists only)."""

    user_id: int
    label: str
    name: str
    last_read_message_id: int
    read_at: datetime | None


@dataclass(frozen=True)
class ThreadView:
    place: rules.ThreadPlace
    page: Page[Message]
    receipts: list[Receipt]


def read_thread(actor: User, place: rules.ThreadPlace, after: int | None) -> ThreadView:
    """One page of the thread, newest first; the first page marks the thread read for `actor`."""
    thread = place.thread
    if thread is None:
        return ThreadView(place, Page([], after, None), [])
    page = keyset_page(
        select(Message).where(Message.thread_id == thread.id),
        [],
        Message.id,
        after=after,
        per_page=PER_PAGE,
        descending=True,
    )
    if after is None and page.items:
        row = _place_of(actor, thread)
        row.last_read_message_id = max(row.last_read_message_id, page.items[0].id)
        row.read_at = utcnow()
    receipts = _receipts(place) if rules.can_see_receipts(actor) else []
    return ThreadView(place, page, receipts)


def _receipts(place: rules.ThreadPlace) -> list[Receipt]:
    partners = {m.user_id: m for m in place.couple.members}
    wanted = rules.partner_ids(place)
    rows = {
        r.user_id: r
        for r in db.session.scalars(
            select(MessageRead).where(
                MessageRead.thread_id == place.thread.id, MessageRead.user_id.in_(wanted)
            )
        )
    }
    found = []
    for user_id in wanted:
        member, row = partners[user_id], rows.get(user_id)
        found.append(
            Receipt(
                user_id,
                member.label,
                member.user.name,
                row.last_read_message_id if row else 0,
                row.read_at if row else None,
            )
        )
    return found


def mark_handled(actor: User, place: rules.ThreadPlace) -> MessageThread:
    """A therapist marks the thread handled (for every therapist of the couple)."""
    if not rules.can_mark_handled(actor) or place.thread is None:
        raise NotAllowed("not found")
    place.thread.handled_at, place.thread.handled_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(
        "message_thread.handled",
        actor=actor,
        object_type="message_thread",
        object_id=place.thread.id,
        couple_id=place.couple.id,
    )
    return place.thread
