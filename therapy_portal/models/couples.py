"""Couples, their partners and therapists, and invitations."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.practice import User


class CoupleStatus(enum.StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class ConfidentialityPolicy(enum.StrEnum):
    NO_SECRETS = "no_secrets"
    LIMITED_SECRETS = "limited_secrets"


POLICY_LABELS = {
    ConfidentialityPolicy.NO_SECRETS: "No secrets",
    ConfidentialityPolicy.LIMITED_SECRETS: "Limited secrets",
}


class Couple(Base):
    __tablename__ = "couple"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'closed')", name="status"),
        CheckConstraint(
            "confidentiality_policy IN ('no_secrets', 'limited_secrets')", name="policy"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=CoupleStatus.ACTIVE)
    confidentiality_policy: Mapped[str] = mapped_column(String(32))
    policy_agreed_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    members: Mapped[list[CoupleMember]] = relationship(
        back_populates="couple", order_by="CoupleMember.label", lazy="raise"
    )
    therapists: Mapped[list[CoupleTherapist]] = relationship(
        back_populates="couple", order_by="CoupleTherapist.role.desc()", lazy="raise"
    )

    @property
    def is_active(self) -> bool:
        return self.status == CoupleStatus.ACTIVE

    @property
    def policy_label(self) -> str:
        return POLICY_LABELS[ConfidentialityPolicy(self.confidentiality_policy)]


class CoupleMember(Base):
    """A partner in a couple; label is "A" or "B"."""

    __tablename__ = "couple_member"
    __table_args__ = (
        UniqueConstraint("couple_id", "label"),
        UniqueConstraint("couple_id", "user_id"),
        CheckConstraint("label IN ('A', 'B')", name="label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(1))

    couple: Mapped[Couple] = relationship(back_populates="members", lazy="raise")
    user: Mapped[User] = relationship(lazy="joined")


class CoupleTherapist(Base):
    __tablename__ = "couple_therapist"
    __table_args__ = (
        UniqueConstraint("couple_id", "therapist_id"),
        CheckConstraint("role IN ('primary', 'co')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="primary")

    couple: Mapped[Couple] = relationship(back_populates="therapists", lazy="raise")
    therapist: Mapped[User] = relationship(lazy="joined")


class Invitation(Base):
    """A single-use link that lets the person at `email` choose a password.

    The token is made when the email is delivered and only its SHA-256 is stored (NULL until
    then). The invitation is bound to `email`: it works only while the account still has that
    address. Re-sending replaces it; changing the address revokes it; it expires.
    """

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_created"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    couple_id: Mapped[int | None] = mapped_column(ForeignKey("couple.id"), index=True)
    partner_label: Mapped[str | None] = mapped_column(String(1))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    replaced_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
