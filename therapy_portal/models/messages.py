"""Secure messages: a couple's thread and each partner's private thread with the therapists.

A thread is one row per (couple, scope): scope "couple" is read by both partners and every
therapist of the couple; scope "A" or "B" is that partner's private thread with the therapists,
and `partner_id` names the partner who may read it. Bodies are ciphertext at rest.

`message_read` keeps, per reader and thread, the last message read and when, and when the reader
was last emailed about the thread (one email until they have read: see `messages/notify.py`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.encrypted import EncryptedText
from therapy_portal.models.practice import User

BODY_LIMIT = 4000  # characters; stated next to the field


class ThreadScope(enum.StrEnum):
    COUPLE = "couple"
    A = "A"
    B = "B"


class MessageThread(Base):
    __tablename__ = "message_thread"
    __table_args__ = (
        UniqueConstraint("couple_id", "scope"),
        CheckConstraint("scope IN ('couple', 'A', 'B')", name="scope"),
        CheckConstraint(
            "(scope = 'couple' AND partner_id IS NULL) "
            "OR (scope <> 'couple' AND partner_id IS NOT NULL)",
            name="private_has_partner",
        ),
        Index("ix_message_thread_practice_last", "practice_id", "last_message_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    scope: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime | None]
    # "Mark as handled" (therapists, shared by the couple's therapists); a partner's new message
    # clears it.
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def is_private(self) -> bool:
        return self.scope != ThreadScope.COUPLE


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    body: Mapped[str] = mapped_column(EncryptedText("message.body"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class MessageRead(Base):
    """One reader's place in one thread: read receipts, unread counts and email pacing."""

    __tablename__ = "message_read"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    last_read_message_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
