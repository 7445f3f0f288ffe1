"""Treatment plans: one plan per couple, kept as numbered versions; goals with measurable targets.

A version is written as a draft, then signed like a session note (HMAC over its canonical content,
`therapy_portal.plans.signing`); a signed version never changes (ORM guard). Amending a signed
plan starts a new draft version carrying the old one's content; old versions stay readable.
Homework assignments and check-in schedules link to goals (`GoalLink`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.encrypted import EncryptedText


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class TargetKind(enum.StrEnum):
    """What a goal's target measures: a check-in instrument's score, or homework completion."""

    MEASURE = "measure"
    HOMEWORK = "homework"


class Comparator(enum.StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class TargetWho(enum.StrEnum):
    """Whose score must meet a measure target."""

    EACH = "each"
    A = "A"
    B = "B"


class TreatmentPlan(Base):
    """The couple's plan: its versions hold the content."""

    __tablename__ = "treatment_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanVersion(Base):
    """One version of a plan: a draft being written, or a signed, locked version."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint("status IN ('draft', 'signed')", name="status"),
        CheckConstraint(
            "status = 'draft' OR (signature IS NOT NULL AND signed_at IS NOT NULL)",
            name="signed_has_signature",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    presenting_problems: Mapped[str] = mapped_column(
        EncryptedText("plan_version.presenting_problems"), default=""
    )
    interventions: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(8), default=PlanStatus.DRAFT, active_history=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    signer_credentials: Mapped[str] = mapped_column(String(80), default="")
    signature: Mapped[str | None] = mapped_column(String(64))

    goals: Mapped[list[PlanGoal]] = relationship(
        back_populates="version", order_by="PlanGoal.position", lazy="raise"
    )

    @property
    def is_signed(self) -> bool:
        return self.status == PlanStatus.SIGNED


class PlanGoal(Base):
    """A goal of one plan version with its measurable target.

    A measure target: `instrument` score of `who` `comparator` `threshold` (e.g. CSI-4 of each
    partner at or above 14). A homework target: at least `threshold` per cent of the linked
    homework done.
    """

    __tablename__ = "plan_goal"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("target_kind IN ('measure', 'homework')", name="target_kind"),
        CheckConstraint("comparator IN ('at_least', 'at_most')", name="comparator"),
        CheckConstraint("who IN ('each', 'A', 'B')", name="who"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(500))
    target_kind: Mapped[str] = mapped_column(String(8))
    instrument: Mapped[str] = mapped_column(String(16), default="")
    comparator: Mapped[str] = mapped_column(String(8), default=Comparator.AT_LEAST)
    threshold: Mapped[int]
    who: Mapped[str] = mapped_column(String(8), default=TargetWho.EACH)

    version: Mapped[PlanVersion] = relationship(back_populates="goals", lazy="raise")


class GoalLink(Base):
    """A homework assignment or a check-in schedule that works toward a goal (one of the two)."""

    __tablename__ = "goal_link"
    __table_args__ = (
        UniqueConstraint("goal_id", "assignment_id"),
        UniqueConstraint("goal_id", "schedule_id"),
        CheckConstraint("(assignment_id IS NULL) <> (schedule_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("measure_schedule.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
