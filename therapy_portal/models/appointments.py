"""Sessions (appointments): one session or a weekly series, reminders, private calendar feeds.

A session belongs to a couple and is for both partners or for one of them (`attendees`, the
same vocabulary as a session note). Times are stored in UTC; a series remembers its local start
time and zone, so its sessions were made in local time (`appointments.recurrence`). The meeting
link and the details are shown only to the people in the session and their therapists, and are
encrypted at rest; no email or calendar feed carries them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    false,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import N_, Base, utcnow
from therapy_portal.models.couples import Couple
from therapy_portal.models.encrypted import EncryptedText
from therapy_portal.models.notes import SessionNote
from therapy_portal.models.practice import User


class AppointmentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    LATE_CANCELLED = "late_cancelled"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Modality(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class ReminderKind(enum.StrEnum):
    DAY_BEFORE = "24h"
    TWO_HOURS = "2h"


STATUS_LABELS = {
    AppointmentStatus.SCHEDULED: N_("Scheduled"),
    AppointmentStatus.ATTENDED: N_("Attended"),
    AppointmentStatus.LATE_CANCELLED: N_("Late-cancelled"),
    AppointmentStatus.NO_SHOW: N_("No-show"),
    AppointmentStatus.CANCELLED: N_("Cancelled"),
}
MODALITY_LABELS = {Modality.IN_PERSON: N_("In person"), Modality.ONLINE: N_("Online (video)")}
# The longest session the portal accepts (the issue: "over 8 hours" is refused).
MAX_DURATION_MINUTES = 480


class AppointmentSeries(Base):
    """A repeating session: every `every_weeks` weeks at `local_start` in `zone`, with an end."""

    __tablename__ = "appointment_series"
    __table_args__ = (
        CheckConstraint("every_weeks BETWEEN 1 AND 12", name="every_weeks"),
        CheckConstraint("ends_on IS NOT NULL OR occurrences IS NOT NULL", name="has_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    every_weeks: Mapped[int]
    local_start: Mapped[time]
    zone: Mapped[str] = mapped_column(String(64))
    first_on: Mapped[date]
    ends_on: Mapped[date | None]
    occurrences: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appointment(Base):
    """One session of a couple (or of one partner) with a therapist."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'attended', 'late_cancelled', 'no_show', 'cancelled')",
            name="status",
        ),
        CheckConstraint("modality IN ('in_person', 'online')", name="modality"),
        CheckConstraint("attendees IN ('both', 'A', 'B')", name="attendees"),
        CheckConstraint("service_code IN ('90847', '90846')", name="service_code"),
        CheckConstraint(f"duration_minutes BETWEEN 1 AND {MAX_DURATION_MINUTES}", name="duration"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "modality = 'in_person' OR meeting_link IS NOT NULL", name="online_has_link"
        ),
        Index("ix_appointment_therapist_starts", "therapist_id", "starts_at"),
        Index("ix_appointment_couple_starts", "couple_id", "starts_at"),
        Index("ix_appointment_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("appointment_series.id"), index=True)
    attendees: Mapped[str] = mapped_column(String(4), default="both")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    modality: Mapped[str] = mapped_column(String(16), default=Modality.IN_PERSON)
    meeting_link: Mapped[str | None] = mapped_column(EncryptedText("appointment.meeting_link"))
    details: Mapped[str] = mapped_column(EncryptedText("appointment.details"), default="")
    service_code: Mapped[str] = mapped_column(String(8), default="90847")
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.SCHEDULED)
    # Entered after it happened ("recorded"), as opposed to scheduled ahead.
    recorded: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The session note started from this session; a deleted draft leaves it empty.
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_note.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship(lazy="raise")
    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="raise")
    series: Mapped[AppointmentSeries | None] = relationship(lazy="raise")

    @property
    def is_online(self) -> bool:
        return self.modality == Modality.ONLINE

    @property
    def is_scheduled(self) -> bool:
        return self.status == AppointmentStatus.SCHEDULED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[AppointmentStatus(self.status)]

    @property
    def modality_label(self) -> str:
        return MODALITY_LABELS[Modality(self.modality)]

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def has_ended(self, now: datetime) -> bool:
        return self.ends_at <= now


class ReminderPreference(Base):
    """A person's own choice of session reminders; without a row the practice's defaults apply."""

    __tablename__ = "reminder_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    remind_24h: Mapped[bool]
    remind_2h: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppointmentReminder(Base):
    """A reminder queued for one person, one session time and one lead time: sent once."""

    __tablename__ = "appointment_reminder"
    __table_args__ = (
        UniqueConstraint("appointment_id", "user_id", "kind", "starts_at"),
        CheckConstraint("kind IN ('24h', '2h')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    # The session's start when the reminder went: a moved session is reminded again.
    starts_at: Mapped[datetime]
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(Base):
    """A person's private calendar feed link: only the SHA-256 of its token is stored."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(SessionNote, "after_delete")
def _unlink_deleted_note(mapper, connection, note: SessionNote) -> None:
    """A deleted draft leaves its session without a note. PostgreSQL's foreign key does it too
    (ON DELETE SET NULL); SQLite does not enforce foreign keys and reuses the highest id, so
    without this a session could point at a later, unrelated note."""
    connection.execute(
        update(Appointment.__table__)
        .where(Appointment.__table__.c.note_id == note.id)
        .values(note_id=None)
    )
