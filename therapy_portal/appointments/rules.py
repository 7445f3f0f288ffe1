"""What a session's input must satisfy, each refusal named after the field it belongs to.

The services call these before changing anything; a form shows each message next to its field
with everything typed kept (`boundary.submit`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from therapy_portal.appointments import recurrence
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, CoupleMember, User
from therapy_portal.models.appointments import (
    MAX_DURATION_MINUTES,
    Appointment,
    AppointmentStatus,
    Modality,
)
from therapy_portal.models.note_formats import SERVICE_CODES
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates

LINK_LIMIT = 500
DETAILS_LIMIT = 1000
MAX_EVERY_WEEKS = 12


class Repeat(enum.StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    EVERY_N_WEEKS = "every_n_weeks"


@dataclass(frozen=True)
class SessionInput:
    """A session as the therapist entered it (local date and time in the practice's zone)."""

    starts_on: date | None
    start_time: time | None
    duration_minutes: int | None
    modality: str = Modality.IN_PERSON
    meeting_link: str = ""
    service_code: str = "90847"
    details: str = ""
    attendees: str = "both"
    repeat: str = Repeat.NONE
    every_weeks: int | None = None
    ends_on: date | None = None
    occurrences: int | None = None
    recorded: bool = False
    allow_overlap: bool = False


def zone_of(user: User) -> ZoneInfo:
    return practice_zone(user.practice.timezone)


def check_details(data: SessionInput) -> None:
    """Duration, modality and link, service code and details: the same for one or a series."""
    minutes = data.duration_minutes
    if minutes is None or not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise ValidationFailed(
            f"Enter a duration between 1 and {MAX_DURATION_MINUTES} minutes (8 hours).",
            field="duration_minutes",
        )
    if data.modality not in tuple(Modality):
        raise ValidationFailed(gettext("Choose in person or online."), field="modality")
    if data.modality == Modality.ONLINE:
        link = data.meeting_link.strip()
        if not link:
            raise ValidationFailed(
                gettext("An online session needs its meeting link."), field="meeting_link"
            )
        parts = urlsplit(link)
        if parts.scheme not in ("https", "http") or not parts.netloc or " " in link:
            raise ValidationFailed(
                gettext("Enter the whole meeting link, starting with https://"),
                field="meeting_link",
            )
        if len(link) > LINK_LIMIT:
            raise ValidationFailed(
                f"Keep the link under {LINK_LIMIT} characters.", field="meeting_link"
            )
    if data.service_code not in SERVICE_CODES:
        raise ValidationFailed(gettext("Choose the service code."), field="service_code")
    if len(data.details) > DETAILS_LIMIT:
        raise ValidationFailed(
            f"Keep the details under {DETAILS_LIMIT:,} characters.", field="details"
        )


def check_attendees(couple: Couple, attendees: str) -> None:
    """Both partners, or one partner the couple has."""
    if attendees == "both":
        return
    member = db.session.scalar(
        select(CoupleMember.id).where(
            CoupleMember.couple_id == couple.id, CoupleMember.label == attendees
        )
    )
    if member is None:
        raise ValidationFailed(gettext("Choose who the session is for."), field="attendees")


def first_start(actor: User, data: SessionInput) -> datetime:
    if data.starts_on is None:
        raise ValidationFailed(gettext("Enter the date of the session."), field="starts_on")
    if data.start_time is None:
        raise ValidationFailed(gettext("Enter the start time."), field="start_time")
    return recurrence.to_utc(data.starts_on, data.start_time, zone_of(actor))


def check_timing(data: SessionInput, start: datetime, now: datetime) -> None:
    """A time in the past only for a session recorded after it happened."""
    end = start + timedelta(minutes=data.duration_minutes or 0)
    if data.recorded:
        if end > now:
            raise ValidationFailed(
                gettext(
                    "Only a session that has ended can be recorded. Untick the box to schedule it."
                ),
                field="recorded",
            )
        if data.repeat != Repeat.NONE:
            raise ValidationFailed(
                gettext(
                    "A session that already happened doesn't repeat: record each one on its own."
                ),
                field="repeat",
            )
    elif start < now:
        raise ValidationFailed(
            gettext(
                "This time has already passed. To record a session that happened, tick "
                "“This session already happened”."
            ),
            field="starts_on",
        )


def series_starts(actor: User, data: SessionInput, first: datetime) -> list[datetime]:
    """One start, or a series' starts in local time; a series needs exactly one end."""
    if data.repeat == Repeat.NONE:
        return [first]
    if data.repeat not in tuple(Repeat):
        raise ValidationFailed(gettext("Choose how the session repeats."), field="repeat")
    every = 1 if data.repeat == Repeat.WEEKLY else data.every_weeks
    if data.repeat == Repeat.EVERY_N_WEEKS and (every is None or not 2 <= every <= MAX_EVERY_WEEKS):
        raise ValidationFailed(f"Repeat every 2 to {MAX_EVERY_WEEKS} weeks.", field="every_weeks")
    if data.ends_on is None and data.occurrences is None:
        raise ValidationFailed(
            gettext("A repeating session needs an end: give a last date or a number of sessions."),
            field="ends_on",
        )
    if data.ends_on is not None and data.occurrences is not None:
        raise ValidationFailed(
            gettext("Give a last date or a number of sessions, not both."), field="ends_on"
        )
    assert data.starts_on is not None and data.start_time is not None
    if data.ends_on is not None and data.ends_on <= data.starts_on:
        raise ValidationFailed(
            gettext("The last date must be after the first session."), field="ends_on"
        )
    if data.occurrences is not None and not 2 <= data.occurrences <= recurrence.MAX_SESSIONS:
        raise ValidationFailed(
            f"A series has 2 to {recurrence.MAX_SESSIONS} sessions.", field="occurrences"
        )
    starts = recurrence.series_starts(
        data.starts_on,
        data.start_time,
        zone_of(actor),
        every or 1,
        ends_on=data.ends_on,
        count=data.occurrences,
    )
    if len(starts) > recurrence.MAX_SESSIONS:
        raise ValidationFailed(
            f"That makes more than {recurrence.MAX_SESSIONS} sessions. Choose an earlier last "
            "date, or schedule the rest later.",
            field="ends_on",
        )
    return starts


def first_overlap(
    therapist: User, spans: list[tuple[datetime, datetime]], exclude_id: int | None = None
) -> Appointment | None:
    """The therapist's earliest other live session that overlaps any of `spans`."""
    overlapping = or_(*(and_(Appointment.starts_at < e, Appointment.ends_at > s) for s, e in spans))
    stmt = (
        select(Appointment)
        .where(
            Appointment.practice_id == therapist.practice_id,
            Appointment.therapist_id == therapist.id,
            Appointment.status != AppointmentStatus.CANCELLED,
            overlapping,
        )
        .options(joinedload(Appointment.couple))
        .order_by(Appointment.starts_at)
        .limit(1)
    )
    if exclude_id is not None:
        stmt = stmt.where(Appointment.id != exclude_id)
    return db.session.scalar(stmt)


def check_overlap(actor: User, data: SessionInput, spans, exclude_id: int | None = None) -> None:
    """Overlaps are allowed, after a warning the therapist answers by ticking a box."""
    if data.allow_overlap:
        return
    other = first_overlap(actor, spans, exclude_id)
    if other is not None:
        zone = zone_of(actor)
        span = f"{dates.when(other.starts_at, zone)}–{dates.clock(other.ends_at, zone)}"
        raise ValidationFailed(
            f"This overlaps your session with {other.couple.display_name} on "
            f"{span}. Tick “Schedule it anyway” to "
            "keep both, or choose another time.",
            field="allow_overlap",
        )
