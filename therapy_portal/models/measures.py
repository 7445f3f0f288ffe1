"""Measurement-based care: check-in schedules, scored responses and safety alerts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.couples import Couple
from therapy_portal.models.practice import User


class MeasureSchedule(Base):
    """A check-in a therapist set for a couple: one instrument, every N weeks from a start date.

    Period 0 starts on ``starts_on``; period k starts ``k * interval_weeks`` weeks later. Each
    partner answers once per period. A schedule is never edited, only stopped, so the periods of
    the responses already given keep their meaning.
    """

    __tablename__ = "measure_schedule"
    __table_args__ = (CheckConstraint("interval_weeks BETWEEN 1 AND 12", name="interval_weeks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(16))
    interval_weeks: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship(lazy="raise_on_sql")

    @property
    def active(self) -> bool:
        return self.stopped_at is None

    @property
    def period_days(self) -> int:
        return 7 * self.interval_weeks

    def period_index(self, today: date) -> int | None:
        """The period that contains ``today``, or None before the schedule starts."""
        if today < self.starts_on:
            return None
        return (today - self.starts_on).days // self.period_days

    def period_start(self, index: int) -> date:
        return self.starts_on + timedelta(days=index * self.period_days)

    def period_end(self, index: int) -> date:
        """The last day of a period (inclusive)."""
        return self.period_start(index + 1) - timedelta(days=1)

    @property
    def cadence_label(self) -> str:
        return "Every week" if self.interval_weeks == 1 else f"Every {self.interval_weeks} weeks"


class MeasureResponse(Base):
    """One partner's scored answers for one check-in period. Seen by that partner and therapists."""

    __tablename__ = "measure_response"
    __table_args__ = (
        UniqueConstraint("schedule_id", "partner_id", "period_index"),
        Index("ix_measure_response_couple_taken", "couple_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    schedule_id: Mapped[int] = mapped_column(ForeignKey("measure_schedule.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    period_index: Mapped[int]
    instrument: Mapped[str] = mapped_column(String(16))
    # Item scores as printed on the form, keyed by item number as a string ("1".."N").
    answers: Mapped[dict] = mapped_column(JSON)
    total: Mapped[int]
    band: Mapped[str | None] = mapped_column(String(40))
    distressed: Mapped[bool | None]
    mean: Mapped[float | None]
    # Clinician-only flags, e.g. ["phq9_item9"]; never shown to any partner.
    flags: Mapped[list] = mapped_column(JSON, default=list)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)

    schedule: Mapped[MeasureSchedule] = relationship(lazy="raise_on_sql")
    partner: Mapped[User] = relationship(lazy="raise_on_sql")


class SafetyAlert(Base):
    """A response that needs the therapist's attention at once (PHQ-9 item 9 above 0)."""

    __tablename__ = "safety_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("measure_response.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    couple: Mapped[Couple] = relationship(lazy="raise_on_sql")
    partner: Mapped[User] = relationship(foreign_keys=[partner_id], lazy="raise_on_sql")
    response: Mapped[MeasureResponse] = relationship(lazy="raise_on_sql")
