"""Sessions in people's calendars: an `.ics` per session, and a private feed per person.

What each carries, and why:

- **A session's `.ics`** is downloaded by a signed-in person from the session's page, so it holds
  what that page shows them: "Session with <therapist>" (partners) or "Therapy session"
  (therapists: no couple's name goes into a calendar that may sync elsewhere), the practice's
  name, a link back to the page, and, for an online session, the meeting link, which the person
  needs in their calendar to join. The details stay on the page.
- **The feed** is reachable without a login by anyone who has its URL (calendar apps poll it), so
  each event holds only the time, "Therapy session" and the practice's name: no names, no
  meeting link, no details. Its token is 256 random bits; only its SHA-256 is stored; a new link
  replaces the old one and turning the feed off deletes it. Every fetch is audited.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import delete, select

from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import Role, User, utcnow
from therapy_portal.models.appointments import Appointment, AppointmentStatus, CalendarFeed
from therapy_portal.policy import appointments as scope

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=400)
FEED_LIMIT = 500


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Therapy Portal//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(appointment: Appointment, summary: str, stamp: datetime) -> Event:
    host = current_app.config["PUBLIC_BASE_URL"].split("//", 1)[-1].split("/", 1)[0]
    event = Event()
    event.add("uid", f"session-{appointment.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", summary)
    event.add("sequence", int(appointment.updated_at.timestamp()) % 2_000_000_000)
    if appointment.status == AppointmentStatus.CANCELLED:
        event.add("status", "CANCELLED")
    return event


# What a calendar calls each session (in the language of the person the file is for).
THERAPY_SESSION = N_("Therapy session")


def session_ics(appointment: Appointment, viewer: User, page_url: str) -> bytes:
    """The `.ics` of one session for a signed-in person who may see it (see the module doc)."""
    practice = viewer.practice.name
    summary = (
        gettext("Session with %(name)s", name=appointment.therapist.name)
        if viewer.role == Role.CLIENT
        else gettext(THERAPY_SESSION)
    )
    event = _event(appointment, summary, utcnow())
    lines = [practice, gettext("Details: %(link)s", link=page_url)]
    if appointment.is_online and appointment.meeting_link:
        event.add("location", appointment.meeting_link)
        lines.insert(1, gettext("Join online: %(link)s", link=appointment.meeting_link))
    elif viewer.practice.address:
        event.add("location", viewer.practice.address)
    event.add("description", "\n".join(lines))
    event.add("url", page_url)
    calendar = _calendar(gettext(THERAPY_SESSION))
    calendar.add_component(event)
    return calendar.to_ical()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def make_feed(user: User) -> str:
    """A new private feed link for `user`, replacing any earlier one. Returns the token, which
    is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(practice_id=user.practice_id, user_id=user.id, token_hash="")
        db.session.add(feed)
    feed.token_hash = scope.token_hash(token)
    feed.created_at = utcnow()
    db.session.flush()
    audit.record("calendar_feed.create", actor=user, object_type="calendar_feed", object_id=feed.id)
    return token


def revoke_feed(user: User) -> bool:
    """Turn the feed off: its link stops working at once. False when there was none."""
    feed = feed_of(user)
    if feed is None:
        return False
    audit.record("calendar_feed.revoke", actor=user, object_type="calendar_feed", object_id=feed.id)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.id == feed.id))
    return True


def feed_sessions(owner: User, now: datetime) -> list[Appointment]:
    """The sessions the owner's feed lists: what their own pages list, cancelled ones left out."""
    stmt = (
        scope.appointments_for_partner(owner)
        if owner.role == Role.CLIENT
        else scope.own_appointments_for_therapist(owner)
    )
    return list(
        db.session.scalars(
            stmt.where(
                Appointment.status != AppointmentStatus.CANCELLED,
                Appointment.starts_at >= now - FEED_PAST,
                Appointment.starts_at < now + FEED_FUTURE,
            )
            .order_by(Appointment.starts_at, Appointment.id)
            .limit(FEED_LIMIT)
        )
    )


def feed_ics(owner: User, now: datetime | None = None) -> bytes:
    """The feed's calendar: time, "Therapy session" and the practice's name, nothing more
    (written in the language of whoever the caller renders it for: `i18n.for_person`)."""
    now = now or utcnow()
    practice = owner.practice.name
    calendar = _calendar(practice)
    for appointment in feed_sessions(owner, now):
        event = _event(appointment, gettext(THERAPY_SESSION), now)
        event.add("description", practice)
        calendar.add_component(event)
    audit.record(
        "calendar_feed.read",
        practice_id=owner.practice_id,
        object_type="user",
        object_id=owner.id,
    )
    return calendar.to_ical()
