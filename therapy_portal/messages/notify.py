"""Emails about new messages: no PHI, one per reader and thread until that reader has read it.

The email says only "You have a new message" and links to the reader's messages page (the
therapist's inbox, or the partner's list of their own threads), never to a thread: a link with
a thread in it would tell whoever sees the email which conversation it is about. All emails are
the same text whichever thread they are about. A burst of messages sends one email per reader:
the next goes only after the reader has opened the thread since the last email.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from therapy_portal.extensions import db
from therapy_portal.i18n import N_
from therapy_portal.mail import queue_email_for
from therapy_portal.models import Role, User
from therapy_portal.models.messages import MessageRead, MessageThread

SUBJECT = N_("You have a new message")
BODY = N_(
    "Hello,\n\nYou have a new message in your practice's Therapy Portal. "
    "Log in to read it:\n%(link)s"
)
PATHS = {Role.THERAPIST: "/messages/inbox", Role.CLIENT: "/messages"}


def place_of(thread: MessageThread, user_id: int) -> MessageRead:
    """The reader's place in the thread, made on first need (two requests at once make one)."""
    found = select(MessageRead).where(
        MessageRead.thread_id == thread.id, MessageRead.user_id == user_id
    )
    row = db.session.scalar(found)
    if row is not None:
        return row
    row = MessageRead(
        practice_id=thread.practice_id, thread_id=thread.id, user_id=user_id, last_read_message_id=0
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(found)
    return row


def _waiting(row: MessageRead) -> bool:
    """An email was sent and the reader has not opened the thread since."""
    return row.notified_at is not None and (row.read_at is None or row.read_at < row.notified_at)


def new_message(thread: MessageThread, reader_ids: list[int], author: User, now: datetime) -> int:
    """Queue the emails a new message calls for; returns how many were queued."""
    others = [i for i in reader_ids if i != author.id]
    rows = {
        r.user_id: r
        for r in db.session.scalars(
            select(MessageRead).where(
                MessageRead.thread_id == thread.id, MessageRead.user_id.in_(others)
            )
        )
    }
    people = db.session.scalars(
        select(User).where(User.id.in_(others), User.active, User.password_hash.is_not(None))
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    sent = 0
    for person in people:
        row = rows.get(person.id) or place_of(thread, person.id)
        if _waiting(row) or person.role not in PATHS:
            continue
        row.notified_at = now
        queue_email_for(
            person,
            SUBJECT,
            BODY,
            link=base + PATHS[person.role],
            kind="message",
            practice_id=thread.practice_id,
            dedupe_key=f"message:{thread.id}:{person.id}:{now.strftime('%Y%m%d%H%M%S%f')}",
        )
        sent += 1
    return sent
