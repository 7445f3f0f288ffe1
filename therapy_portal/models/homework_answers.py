"""What comes of a response: each submission, the conflict copies of drafts, and feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.encrypted import EncryptedJSON


class Submission(Base):
    """Each submission of a response; the idempotency key makes a repeated submit a no-op."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(EncryptedJSON("submission.answers"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftConflict(Base):
    """Text from a stale tab that lost a save race: kept, shown beside the saved draft."""

    __tablename__ = "draft_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    fields: Mapped[dict] = mapped_column(EncryptedJSON("draft_conflict.fields"))
    based_on_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dismissed_at: Mapped[datetime | None]


class Feedback(Base):
    """A therapist's feedback on one prompt or the whole occurrence, for partner A, B or both."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("audience IN ('A', 'B', 'both')", name="audience"),
        Index("ix_feedback_occurrence", "occurrence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"))
    prompt_key: Mapped[str | None] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(4))  # an `Audience`
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HomeworkRating(Base):
    """How fully one partner (or the couple's joint answer) did one occurrence, per the therapist.

    One row per occurrence and slot; rating again replaces the value. A partner who wrote
    nothing can be rated "not done", so the row does not need a response.
    """

    __tablename__ = "homework_rating"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "partner_label"),
        CheckConstraint("partner_label IN ('A', 'B', 'J')", name="label"),
        CheckConstraint("quality IN ('not_done', 'partly', 'fully', 'beyond')", name="quality"),
        Index("ix_homework_rating_couple_rated", "couple_id", "rated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"))
    partner_label: Mapped[str] = mapped_column(String(1))  # a `Slot`
    quality: Mapped[str] = mapped_column(String(16))  # a `HomeworkQuality`
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
