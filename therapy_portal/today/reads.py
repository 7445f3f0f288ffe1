"""What Today reads that no other area lists yet: check-ins missed or due, unsigned drafts.

Each read is a fixed number of statements whatever the caseload's size, scoped through the
policy's therapist selects, and returns plain rows (no ORM objects the template could wander
through).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Date,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    union_all,
)

from therapy_portal import policy, prepared
from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.models import Couple, CoupleMember, CoupleStatus, User
from therapy_portal.models.measures import (
    CheckinProgress,
    MeasureSchedule,
    _DaysBetween,
    period_end,
)
from therapy_portal.models.notes import NoteStatus, SessionNote
from therapy_portal.timezones import local_today, practice_zone

# A session whose note is still a draft this long after it began is flagged (issue 11).
NOTE_OVERDUE = timedelta(hours=72)


@dataclass(frozen=True)
class CheckinGap:
    """One partner who has not answered one period of a check-in."""

    couple_id: int
    couple_name: str
    label: str
    instrument: str
    missed: bool  # the period has ended; otherwise it is open now
    closes_on: date


def checkin_gaps(actor: User, now: datetime, limit: int) -> tuple[list[CheckinGap], int]:
    """The first `limit` check-in periods of the therapist's active couples that a partner has
    not answered, missed ones (the last period) first, then the current ones, each by the day
    the period closes; and how many there are.

    One statement, built once per process: a row per started schedule and partner, the current
    period worked out in SQL, and whether that partner answered it and the period before (two
    lookups each on the unique (schedule, partner, period) index), turned into one row per gap,
    sorted and cut in SQL with the total as a window count. It used to take three statements
    (the answers to a list of 400 (schedule, period) pairs cost PostgreSQL 18 ms to plan), and
    then every gap of the caseload (400 rows at 200 couples) came back to be sorted in Python
    for the ten shown.
    """
    return prepared.run(checkin_gaps_read(actor, now, limit))


def checkin_gaps_read(
    actor: User, now: datetime, limit: int
) -> prepared.Read[tuple[list[CheckinGap], int]]:
    """`checkin_gaps` as a read to run with others."""
    return prepared.Read(
        prepared.statement(f"today.checkin_gaps.{limit}", lambda who: _gap_rows(who, limit)),
        prepared.params(actor, today=local_today(actor.practice.timezone, now)),
        _gaps,
    )


def _gaps(rows) -> tuple[list[CheckinGap], int]:
    gaps = [
        CheckinGap(
            couple_id,
            name,
            label,
            _instrument_name(key),
            bool(missed),
            period_end(starts_on, weeks, period),
        )
        for couple_id, name, label, key, starts_on, weeks, period, missed, _ in rows
    ]
    return gaps, rows[0][-1] if rows else 0


def _partner_rows(actor):
    """A row per started schedule and partner of the therapist's active couples: the current
    period, and the two latest periods that partner answered (their `CheckinProgress`; -1 for
    none, which no period equals)."""
    current = MeasureSchedule.period_index_sql(None)  # `today` is a bind parameter
    # Driven from the policy's couples (not `schedule.couple_id IN (…)`): PostgreSQL then starts
    # from the therapist's couple_therapist rows instead of the practice's couples.
    return (
        policy.couples_for_therapist(actor)
        .where(Couple.status == CoupleStatus.ACTIVE)
        .join(MeasureSchedule, MeasureSchedule.couple_id == Couple.id)
        .join(CoupleMember, CoupleMember.couple_id == Couple.id)
        .outerjoin(
            CheckinProgress,
            (CheckinProgress.schedule_id == MeasureSchedule.id)
            & (CheckinProgress.partner_id == CoupleMember.user_id),
        )
        .where(
            MeasureSchedule.stopped_at.is_(None),
            MeasureSchedule.starts_on <= bindparam("today", type_=Date),
        )
        .with_only_columns(
            MeasureSchedule.id.label("schedule_id"),
            MeasureSchedule.couple_id,
            Couple.display_name,
            CoupleMember.label,
            MeasureSchedule.instrument,
            MeasureSchedule.starts_on,
            MeasureSchedule.interval_weeks,
            current.label("current"),
            func.coalesce(CheckinProgress.last_period, -1).label("last"),
            func.coalesce(CheckinProgress.previous_period, -1).label("previous"),
        )
        .cte("checkin_rows")
    )


def _gap_rows(actor, limit: int):
    rows = _partner_rows(actor)
    shown = (
        rows.c.schedule_id,
        rows.c.couple_id,
        rows.c.display_name,
        rows.c.label,
        rows.c.instrument,
        rows.c.starts_on,
        rows.c.interval_weeks,
    )
    gaps = union_all(
        select(*shown, rows.c.current.label("period"), literal(0).label("missed")).where(
            rows.c.last != rows.c.current  # the current period not answered
        ),
        select(*shown, (rows.c.current - 1).label("period"), literal(1).label("missed")).where(
            rows.c.current >= 1,  # the period before not answered:
            rows.c.last != rows.c.current - 1,
            rows.c.previous != rows.c.current - 1,
        ),
    ).subquery()
    # The day the period closes, as days from today: orders like `period_end`.
    closes = _DaysBetween(gaps.c.starts_on, bindparam("today", type_=Date)) + (
        7 * gaps.c.interval_weeks * (gaps.c.period + 1) - 1
    )
    return (
        select(
            gaps.c.couple_id,
            gaps.c.display_name,
            gaps.c.label,
            gaps.c.instrument,
            gaps.c.starts_on,
            gaps.c.interval_weeks,
            gaps.c.period,
            gaps.c.missed,
            func.count().over(),
        )
        .order_by(
            gaps.c.missed.desc(),
            closes,
            gaps.c.display_name,
            gaps.c.label,
            gaps.c.schedule_id,
        )
        .limit(prepared.constant(limit))
    )


def _instrument_name(key: str) -> str:
    inst = INSTRUMENTS.get(key)
    return inst.name if inst else key.upper()


@dataclass(frozen=True)
class DraftNote:
    note_id: int
    couple_name: str
    session_date: date
    overdue: bool  # the session began more than 72 hours ago


def unsigned_drafts(actor: User, now: datetime, limit: int) -> tuple[list[DraftNote], int]:
    """The therapist's own draft notes (only the author signs), oldest session first, with the
    total: one statement."""
    return prepared.run(unsigned_drafts_read(actor, now, limit))


def unsigned_drafts_read(
    actor: User, now: datetime, limit: int
) -> prepared.Read[tuple[list[DraftNote], int]]:
    """`unsigned_drafts` as a read to run with others."""
    zone = practice_zone(actor.practice.timezone)

    def began(day: date, start: time | None) -> datetime:
        return datetime.combine(day, start or time(0), tzinfo=zone)

    def drafts(rows) -> tuple[list[DraftNote], int]:
        found = [
            DraftNote(note_id, name, day, now - began(day, start) > NOTE_OVERDUE)
            for note_id, name, day, start, _ in rows
        ]
        return found, rows[0][4] if rows else 0

    return prepared.Read(
        prepared.statement(f"today.unsigned_drafts.{limit}", lambda who: _drafts(who, limit)),
        prepared.params(actor),
        drafts,
    )


_DRAFT = literal_column(f"'{NoteStatus.DRAFT.value}'")


def _drafts(actor, limit: int):
    return (
        policy.notes_for_therapist(actor)
        .join(Couple, Couple.id == SessionNote.couple_id)
        # The status as a constant (ix_session_note_drafts' predicate): a bind parameter here
        # kept the prepared statement's generic plan off the partial index (see review._waiting).
        .where(SessionNote.status == _DRAFT, SessionNote.therapist_id == actor.id)
        .with_only_columns(
            SessionNote.id,
            Couple.display_name,
            SessionNote.session_date,
            SessionNote.start_time,
            func.count().over(),
        )
        .order_by(SessionNote.session_date, SessionNote.id)
        .limit(prepared.constant(limit))
    )


def couple_names(therapist: User, couple_ids: set[int]) -> dict[int, str]:
    """Display names of couples another area's read already scoped to this therapist (one
    statement, none when there is nothing to name)."""
    if not couple_ids:
        return {}
    rows = db.session.execute(
        select(Couple.id, Couple.display_name).where(
            Couple.id.in_(couple_ids), Couple.practice_id == therapist.practice_id
        )
    )
    return {couple_id: name for couple_id, name in rows}
