"""Reading sessions: the therapist's week, a couple's and a partner's lists, and what the Today
page and the partner's home ask (`upcoming_for_therapist`, `next_for_partner`,
`sessions_without_signed_note`).

Every statement starts from a scoped statement of `policy.appointments`; each page runs a fixed
number of statements, whatever the caseload holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import joinedload, selectinload

from therapy_portal import prepared
from therapy_portal.appointments.recurrence import to_utc
from therapy_portal.appointments.rules import zone_of
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role, User, utcnow
from therapy_portal.models.appointments import Appointment, AppointmentStatus
from therapy_portal.models.notes import SessionNote
from therapy_portal.pagination import Page, keyset_page
from therapy_portal.policy import appointments as scope
from therapy_portal.policy import supervision

UPCOMING_SHOWN = 10
PAST_PER_PAGE = 20
# Sessions that want a note: those that took place, or were never marked either way.
NEEDS_NOTE = (AppointmentStatus.SCHEDULED, AppointmentStatus.ATTENDED)
NOTE_OVERDUE_AFTER = timedelta(hours=72)


@dataclass(frozen=True)
class SessionList:
    upcoming: list[Appointment]
    past: Page
    note_states: dict[int, str]


def note_states(appointments: list[Appointment]) -> dict[int, str]:
    """Each session's note: "signed", "draft", or absent (no note yet). One statement."""
    ids = {a.note_id for a in appointments if a.note_id is not None}
    if not ids:
        return {}
    status = dict(
        db.session.execute(
            select(SessionNote.id, SessionNote.status).where(SessionNote.id.in_(ids))
        ).all()
    )
    return {a.id: status[a.note_id] for a in appointments if a.note_id in status}


def _listed(stmt: Select, now: datetime, after: int | None, options: tuple) -> SessionList:
    upcoming = []
    if after is None:
        upcoming = list(
            db.session.scalars(
                stmt.where(
                    Appointment.ends_at > now,
                    Appointment.status != AppointmentStatus.CANCELLED,
                )
                .options(*options)
                .order_by(Appointment.starts_at, Appointment.id)
                .limit(UPCOMING_SHOWN)
            )
        )
    past = keyset_page(
        stmt.where((Appointment.ends_at <= now) | (Appointment.status == "cancelled")),
        [Appointment.starts_at],
        Appointment.id,
        after=after,
        per_page=PAST_PER_PAGE,
        descending=True,
        options=options,
    )
    return SessionList(upcoming, past, note_states([*upcoming, *past.items]))


def couple_sessions(
    actor: User, couple: Couple, *, after: int | None = None, now: datetime | None = None
) -> SessionList:
    """The next sessions of a couple, then a keyset page of its past and cancelled ones."""
    stmt = scope.appointments_for_therapist(actor).where(Appointment.couple_id == couple.id)
    return _listed(stmt, now or utcnow(), after, (joinedload(Appointment.therapist),))


def partner_sessions(
    user: User, *, after: int | None = None, now: datetime | None = None
) -> SessionList:
    """What a partner sees of their sessions: joint ones and their own one-partner ones."""
    stmt = scope.appointments_for_partner(user)
    return _listed(stmt, now or utcnow(), after, (joinedload(Appointment.therapist),))


@dataclass(frozen=True)
class Week:
    monday: date
    days: list[tuple[date, list[Appointment]]]
    note_states: dict[int, str]

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def count(self) -> int:
        return sum(len(items) for _, items in self.days)


def week_for_therapist(therapist: User, any_day: date) -> Week:
    """The therapist's own sessions in the local week (Monday to Sunday) holding `any_day`."""
    zone = zone_of(therapist)
    monday = any_day - timedelta(days=any_day.weekday())
    start = to_utc(monday, datetime.min.time(), zone)
    end = to_utc(monday + timedelta(days=7), datetime.min.time(), zone)
    found = list(
        db.session.scalars(
            scope.own_appointments_for_therapist(therapist)
            .where(Appointment.starts_at >= start, Appointment.starts_at < end)
            .options(selectinload(Appointment.couple).selectinload(Couple.members))
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )
    days = [(monday + timedelta(days=i), []) for i in range(7)]
    for appointment in found:
        local_day = appointment.starts_at.astimezone(zone).date()
        days[(local_day - monday).days][1].append(appointment)
    return Week(monday, days, note_states(found))


def couple_choices(therapist: User) -> list[tuple[int, str]]:
    """The therapist's active couples (id, display name), for "schedule a session for…"."""
    from therapy_portal import policy
    from therapy_portal.models import CoupleStatus

    treated = policy.couples_for_therapist(therapist).where(Couple.status == CoupleStatus.ACTIVE)
    return list(
        db.session.execute(
            treated.with_only_columns(Couple.id, Couple.display_name).order_by(
                Couple.display_name, Couple.id
            )
        )
    )


@dataclass(frozen=True)
class SessionRow:
    """A session as the Today page lists it: plain values, no ORM object to wander through."""

    id: int
    couple_id: int
    couple_name: str
    starts_at: datetime
    ends_at: datetime
    modality: str
    status: str
    attendees: str


def _session_rows(who, *where) -> Select:
    """The therapist's own sessions (policy scope) as `SessionRow` columns, soonest first."""
    return (
        scope.own_appointments_for_therapist(who)
        .join(Couple, Couple.id == Appointment.couple_id)
        .where(*where)
        .with_only_columns(
            Appointment.id,
            Appointment.couple_id,
            Couple.display_name,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.modality,
            Appointment.status,
            Appointment.attendees,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )


def upcoming_for_therapist(
    therapist: User, days: int = 7, now: datetime | None = None
) -> list[SessionRow]:
    """The therapist's scheduled sessions not yet over, starting within `days` days, soonest
    first. For the Today page."""
    if therapist.role != Role.THERAPIST:
        return []
    return prepared.run(upcoming_for_therapist_read(therapist, days, now or utcnow()))


def upcoming_for_therapist_read(
    therapist: User, days: int, now: datetime
) -> prepared.Read[list[SessionRow]]:
    """`upcoming_for_therapist` as a read to run with others (one statement)."""
    stmt = prepared.statement(
        "appointments.upcoming_for_therapist",
        lambda who: _session_rows(
            who,
            Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.ends_at > bindparam("now"),
            Appointment.starts_at < bindparam("until"),
        ),
    )
    values = prepared.params(therapist, now=now, until=now + timedelta(days=days))
    return prepared.Read(stmt, values, lambda rows: [SessionRow(*row) for row in rows])


def next_for_partner(user: User, now: datetime | None = None) -> Appointment | None:
    """The partner's next scheduled session not yet over (joint or their own), with its
    therapist loaded; None when there is none. For the partner's home."""
    now = now or utcnow()
    return db.session.scalar(
        scope.appointments_for_partner(user)
        .where(Appointment.status == AppointmentStatus.SCHEDULED, Appointment.ends_at > now)
        .options(joinedload(Appointment.therapist))
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(1)
    )


def sessions_without_signed_note(
    therapist: User, now: datetime | None = None, limit: int = 50
) -> list[SessionRow]:
    """The therapist's sessions that have ended (attended, or never marked) and have no final
    signed note (`policy.supervision.final_note`: one awaiting co-signature is not), oldest
    first, at most `limit`. A session counts as noted when the note started from it is final,
    or when a final note of the couple is dated the session's local day (a note written from
    the notes page). One statement, and a second when there are candidates."""
    if therapist.role != Role.THERAPIST:
        return []
    return prepared.run(sessions_without_signed_note_read(therapist, now or utcnow(), limit))


def sessions_without_signed_note_read(
    therapist: User, now: datetime, limit: int = 50
) -> prepared.Read[list[SessionRow]]:
    """`sessions_without_signed_note` as a read to run with others: its first statement goes
    with them, the notes dated the candidates' days are read when the rows arrive."""
    stmt = prepared.statement(
        f"appointments.sessions_without_signed_note.{limit}",
        lambda who: (
            _session_rows(
                who,
                # Both statuses as comparisons, not IN (…): a pipeline cannot expand a list.
                or_(*(Appointment.status == status for status in NEEDS_NOTE)),
                Appointment.ends_at <= bindparam("now"),
                (SessionNote.id.is_(None)) | ~supervision.final_note(),
            )
            .outerjoin(SessionNote, SessionNote.id == Appointment.note_id)
            .limit(prepared.constant(limit * 2))
        ),
    )

    def missing(rows) -> list[SessionRow]:
        return _not_noted_on_the_day(therapist, [SessionRow(*row) for row in rows])[:limit]

    return prepared.Read(stmt, prepared.params(therapist, now=now), missing)


def _not_noted_on_the_day(therapist: User, candidates: list[SessionRow]) -> list[SessionRow]:
    zone = zone_of(therapist)
    days = {(a.couple_id, a.starts_at.astimezone(zone).date()) for a in candidates}
    if not days:
        return []
    signed = set(
        db.session.execute(
            select(SessionNote.couple_id, SessionNote.session_date).where(
                SessionNote.couple_id.in_({c for c, _ in days}),
                SessionNote.session_date.in_({d for _, d in days}),
                supervision.final_note(),
            )
        )
    )
    return [
        a for a in candidates if (a.couple_id, a.starts_at.astimezone(zone).date()) not in signed
    ]


def note_overdue(appointment: Appointment | SessionRow, now: datetime | None = None) -> bool:
    """A session over for more than 72 hours without a signed note is flagged (issue 11)."""
    return appointment.ends_at + NOTE_OVERDUE_AFTER <= (now or utcnow())
