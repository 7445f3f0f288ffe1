"""Measurement-based care: check-in schedules, scored responses and safety alerts."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    case,
    event,
    false,
    or_,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.couples import Couple
from therapy_portal.models.encrypted import EncryptedText
from therapy_portal.models.practice import User


class _DaysBetween(FunctionElement):
    """Whole days from the second date to the first (a date difference in SQL)."""

    type = Integer()
    inherit_cache = True


@compiles(_DaysBetween)
def _days_between(element, compiler, **kw):  # PostgreSQL: date - date is a number of days
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({later} - {earlier})"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element, compiler, **kw):  # SQLite keeps dates as ISO text
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def period_end(starts_on: date, interval_weeks: int, index: int) -> date:
    """The last day (inclusive) of period ``index`` of a schedule."""
    return starts_on + timedelta(days=(index + 1) * 7 * interval_weeks - 1)


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
    # Who stopped it: the therapist, or (for a maintenance plan) one of the partners.
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The last day a period may start on (None: runs until stopped).
    ends_on: Mapped[date | None]
    # Part of the maintenance plan offered when the couple was closed: it runs while the
    # couple is closed, and either partner may stop it.
    maintenance: Mapped[bool] = mapped_column(default=False, server_default=false())

    couple: Mapped[Couple] = relationship(lazy="raise_on_sql")

    @property
    def active(self) -> bool:
        return self.stopped_at is None

    @property
    def period_days(self) -> int:
        return 7 * self.interval_weeks

    def period_index(self, today: date) -> int | None:
        """The period that contains ``today``, or None before the schedule starts or after
        its last period (the one starting on or before ``ends_on``)."""
        if today < self.starts_on:
            return None
        index = (today - self.starts_on).days // self.period_days
        if self.ends_on is not None and self.period_start(index) > self.ends_on:
            return None
        return index

    @classmethod
    def period_index_sql(cls, today: date) -> ColumnElement[int]:
        """`period_index(today)` in SQL, for schedules that have started (``starts_on <= today``:
        the integer division truncates, which is the floor only when the days are not
        negative)."""
        days = _DaysBetween(bindparam("today", today, type_=Date), cls.starts_on)
        return days // (7 * cls.interval_weeks)

    def period_start(self, index: int) -> date:
        return self.starts_on + timedelta(days=index * self.period_days)

    def period_end(self, index: int) -> date:
        """The last day of a period (inclusive)."""
        return period_end(self.starts_on, self.interval_weeks, index)

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


class CheckinProgress(Base):
    """The two latest periods one partner answered on one schedule, kept with every response.

    Today's check-in gaps ask, for each partner of each of the therapist's active schedules,
    whether the current period and the one before were answered. Probing `measure_response` for
    that costs one index lookup per partner (400 at 200 couples), which was most of the page's
    heaviest statement; this row answers it from a join. It is kept by the `after_insert`
    listener below in the same flush as the response, so it cannot fall behind an ORM insert;
    a bulk load (the benchmark seed) fills it with `PROGRESS_RECOUNT`.
    """

    __tablename__ = "checkin_progress"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("measure_schedule.id"), primary_key=True, autoincrement=False
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True, autoincrement=False
    )
    last_period: Mapped[int]
    previous_period: Mapped[int | None]  # the latest period answered before `last_period`


_PROGRESS = CheckinProgress.__table__


def _record_progress(mapper, connection, response: MeasureResponse) -> None:
    """Move the partner's progress row on by the response just inserted (same transaction).

    One statement, no read: a newer period pushes the last one down to `previous_period`; an
    older one (only bulk or test data insert out of order) can only raise `previous_period`.
    The unique (schedule, partner, period) constraint means a period never arrives twice.
    """
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_PROGRESS).values(
        schedule_id=response.schedule_id,
        partner_id=response.partner_id,
        last_period=response.period_index,
        previous_period=None,
    )
    new, old = stmt.excluded.last_period, _PROGRESS.c
    stmt = stmt.on_conflict_do_update(
        index_elements=[old.schedule_id, old.partner_id],
        set_={
            "last_period": case((new > old.last_period, new), else_=old.last_period),
            "previous_period": case(
                (new > old.last_period, old.last_period),
                (or_(old.previous_period.is_(None), new > old.previous_period), new),
                else_=old.previous_period,
            ),
        },
    )
    connection.execute(stmt)


event.listen(MeasureResponse, "after_insert", _record_progress)


# Every (schedule, partner)'s progress counted from `measure_response`: what the table must
# hold. `PROGRESS_RECOUNT` fills an empty table with it, after a bulk load that bypassed the
# listener (the migration that added the table runs the same statement).
PROGRESS_COUNTED = """
SELECT latest.schedule_id, latest.partner_id, latest.last_period,
       (SELECT max(r.period_index) FROM measure_response r
        WHERE r.schedule_id = latest.schedule_id AND r.partner_id = latest.partner_id
          AND r.period_index < latest.last_period) AS previous_period
FROM (SELECT schedule_id, partner_id, max(period_index) AS last_period
      FROM measure_response GROUP BY schedule_id, partner_id) AS latest
"""
PROGRESS_RECOUNT = (
    "INSERT INTO checkin_progress (schedule_id, partner_id, last_period, previous_period)"
    + PROGRESS_COUNTED
)


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


class OutcomeKind(enum.StrEnum):
    """The outcome rules (`measures.outcomes`): what an outcome alert says."""

    WORSENING = "worsening"
    NO_IMPROVEMENT = "no_improvement"
    WIDENING_GAP = "widening_gap"


class OutcomeAlert(Base):
    """A couple's measures met an outcome rule: one row per episode.

    Raised when a rule starts to hold (at a check-in), kept up to date while it holds, resolved
    when it no longer holds. Dismissing (with a reason) hides it; a dismissed episode is not
    raised again until the rule has stopped holding and holds anew. ``figures`` holds only the
    numbers that triggered it. ``partner_id`` is None for a rule about the couple (the gap).
    """

    __tablename__ = "outcome_alert"
    __table_args__ = (
        CheckConstraint("kind IN ('worsening', 'no_improvement', 'widening_gap')", name="kind"),
        Index("ix_outcome_alert_couple_open", "couple_id", "resolved_at", "dismissed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    instrument: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))  # an `OutcomeKind`
    figures: Mapped[dict] = mapped_column(JSON)
    response_id: Mapped[int] = mapped_column(ForeignKey("measure_response.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    dismiss_reason: Mapped[str | None] = mapped_column(
        EncryptedText("outcome_alert.dismiss_reason")
    )

    couple: Mapped[Couple] = relationship(lazy="raise_on_sql")
