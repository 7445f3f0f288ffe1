"""Demo messages: the first demo couple's thread and partner A's private thread, a few each."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from therapy_portal.extensions import db
from therapy_portal.models import utcnow
from therapy_portal.models.messages import Message, MessageRead, MessageThread, ThreadScope

# (scope, who writes: "T" the primary therapist, "A"/"B" a partner, hours ago, text)
CONVERSATIONS = [
    ("couple", "T", 50, "Hello both, a reminder that this week's exercise is due on Friday."),
    ("couple", "A", 30, "Thanks. We started it last night and will finish it this weekend."),
    ("couple", "B", 28, "Could we move Thursday's session half an hour later?"),
    ("A", "A", 20, "Before Thursday: I'd like to talk about how last weekend's visit went."),
    ("A", "T", 18, "Thank you for telling me. We can start there on Thursday."),
    ("A", "A", 2, "That helps. See you then."),
]


def demo_messages(world: dict) -> None:
    couple, partners = world["couples"][0]
    therapist = world["staff"][1]
    writers = {"T": therapist, "A": partners[0], "B": partners[1]}
    threads = {}
    for scope in (ThreadScope.COUPLE, ThreadScope.A):
        threads[scope] = MessageThread(
            practice_id=couple.practice_id,
            couple_id=couple.id,
            scope=scope,
            partner_id=None if scope == ThreadScope.COUPLE else partners[0].id,
        )
        db.session.add(threads[scope])
    db.session.flush()
    now = utcnow()
    for scope, who, hours, text in CONVERSATIONS:
        at = now - timedelta(hours=hours)
        thread = threads[ThreadScope(scope)]
        db.session.add(
            Message(
                practice_id=couple.practice_id,
                thread_id=thread.id,
                author_id=writers[who].id,
                body=text,
                created_at=at,
            )
        )
        thread.last_message_at = at
    db.session.flush()
    # Partner A has read the couple's thread; the therapist has not read A's last message.
    for thread in threads.values():
        db.session.add(
            MessageRead(
                practice_id=couple.practice_id,
                thread_id=thread.id,
                user_id=partners[0].id,
                last_read_message_id=_last_id(thread),
                read_at=now - timedelta(hours=1),
            )
        )
    db.session.flush()


def _last_id(thread: MessageThread) -> int:
    return db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id))
