"""Photos a partner attached to a homework answer (the ``photos`` prompt type).

The image and its thumbnail are re-encoded JPEGs with no metadata, stored as AES-GCM ciphertext
(`EncryptedBytes`), so `flask keys rotate` re-encrypts them with every other encrypted column.
Pages and PDFs name a photo only by ``public_id``, a random token (never the row id, never a
file name the partner chose).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.encrypted import EncryptedBytes

__all__ = ["AnswerPhoto"]


class AnswerPhoto(Base):
    """One photo attached to one prompt of one response; ``removed_at`` once taken off a draft."""

    __tablename__ = "answer_photo"
    __table_args__ = (Index("ix_answer_photo_response_prompt", "response_id", "prompt_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    prompt_key: Mapped[str] = mapped_column(String(40))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    image: Mapped[bytes] = mapped_column(EncryptedBytes("answer_photo.image"), deferred=True)
    thumbnail: Mapped[bytes] = mapped_column(
        EncryptedBytes("answer_photo.thumbnail"), deferred=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
