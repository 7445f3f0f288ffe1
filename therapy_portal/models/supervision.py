"""Supervision: who supervises whom, co-signatures of supervised work, supervisors' comments.

A supervised therapist's signed note or plan version gets a `CoSignature` row at signing; until
the supervisor co-signs it (`cosigned_at` set) the item is *awaiting co-signature* and does not
count as final (`therapy_portal.policy.supervision`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.encrypted import EncryptedText


class SignedKind(enum.StrEnum):
    """The kinds of signed work a supervisor co-signs."""

    NOTE = "note"
    PLAN = "plan"


class Supervision(Base):
    """A therapist is supervised by another therapist of the same practice (one supervisor)."""

    __tablename__ = "supervision"
    __table_args__ = (CheckConstraint("therapist_id <> supervisor_id", name="not_self"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoSignature(Base):
    """A supervisor's co-signature of a signed note or plan version: pending, then given."""

    __tablename__ = "co_signature"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        CheckConstraint("kind IN ('note', 'plan')", name="kind"),
        CheckConstraint(
            "cosigned_at IS NULL OR signature IS NOT NULL", name="cosigned_has_signature"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    object_id: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    cosigned_at: Mapped[datetime | None]
    cosigner_name: Mapped[str] = mapped_column(String(120), default="")
    cosigner_credentials: Mapped[str] = mapped_column(String(80), default="")
    signature: Mapped[str | None] = mapped_column(String(64))

    @property
    def awaiting(self) -> bool:
        return self.cosigned_at is None


class NoteComment(Base):
    """A supervisor's comment on a signed note: stored apart, so the note itself never changes."""

    __tablename__ = "note_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_note.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(EncryptedText("note_comment.body"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
