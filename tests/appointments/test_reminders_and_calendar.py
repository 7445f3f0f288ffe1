"""Reminders through the outbox (each person's choice, once each, no PHI) and calendar files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.appointments.factories import make_session
from therapy_portal.appointments import calendar, reminders
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import OutboxEmail, utcnow
from therapy_portal.models.appointments import AppointmentReminder, CalendarFeed
from therapy_portal.policy import appointments as scope

LINK = "https://video.example.org/private-room-4411"
DETAILS = "Room 3, ring twice"


def _emails() -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.kind == "session_reminder")
            .order_by(OutboxEmail.id)
        )
    )


@pytest.fixture
def online(people):
    people["couple"].display_name = "Lopez & Kim"
    return make_session(
        people["therapist"],
        people["couple"],
        starts_at=utcnow() + timedelta(hours=30),
        modality="online",
        link=LINK,
        details=DETAILS,
    )


def test_each_partner_gets_the_24h_reminder_once_without_phi(people, online):
    start = online.starts_at
    assert reminders.queue_session_reminders(start - timedelta(hours=25)) == 0  # not yet
    assert reminders.queue_session_reminders(start - timedelta(hours=23)) == 2
    assert reminders.queue_session_reminders(start - timedelta(hours=22)) == 0  # idempotent
    emails = _emails()
    assert sorted(e.to_address for e in emails) == sorted([people["a"].email, people["b"].email])
    for email in emails:
        text = email.subject + email.body
        assert "You have a session on" in text and "/my-sessions" in text
        for phi in (
            LINK,
            "video.example.org",
            DETAILS,
            "Lopez",
            "Kim",
            "Robin Hale",
            people["a"].name,
            people["b"].name,
        ):
            assert phi not in text
    local = start.astimezone(reminders.practice_zone("America/New_York"))
    assert f"{local:%H:%M}" in emails[0].body and local.tzname() in emails[0].body
    assert db.session.scalar(select(db.func.count(AppointmentReminder.id))) == 2


def test_each_person_chooses_24h_and_or_2h(people, online):
    a, b = people["a"], people["b"]
    # Practice default: 24 h only. A wants only 2 h; B wants both.
    reminders.set_reminder_choice(a, False, True)
    reminders.set_reminder_choice(b, True, True)
    assert reminders.reminder_choice(a) == (False, True)
    start = online.starts_at
    assert reminders.queue_session_reminders(start - timedelta(hours=23)) == 1  # B's 24 h
    assert reminders.queue_session_reminders(start - timedelta(hours=1, minutes=50)) == 2
    kinds = sorted((e.to_address, e.dedupe_key.split(":")[1]) for e in _emails())
    assert kinds == sorted([(b.email, "24h"), (b.email, "2h"), (a.email, "2h")])


def test_practice_defaults_a_one_partner_session_and_a_moved_session(people):
    therapist, couple, a = people["therapist"], people["couple"], people["a"]
    people["practice"].remind_24h, people["practice"].remind_2h = False, True
    session = make_session(
        therapist, couple, starts_at=utcnow() + timedelta(hours=10), attendees="A"
    )
    assert reminders.queue_session_reminders(session.starts_at - timedelta(hours=23)) == 0
    assert reminders.queue_session_reminders(session.starts_at - timedelta(hours=1)) == 1
    assert [e.to_address for e in _emails()] == [a.email]  # never B
    session.starts_at += timedelta(days=1)
    session.ends_at += timedelta(days=1)
    assert reminders.queue_session_reminders(session.starts_at - timedelta(hours=1)) == 1


def test_no_reminder_for_cancelled_sessions_closed_couples_or_uninvited_partners(people, online):
    people["b"].password_hash = None  # has not accepted the invitation
    online.status = "cancelled"
    assert reminders.queue_session_reminders(online.starts_at - timedelta(hours=23)) == 0
    online.status = "scheduled"
    people["couple"].status = "closed"
    assert reminders.queue_session_reminders(online.starts_at - timedelta(hours=23)) == 0
    people["couple"].status = "active"
    assert reminders.queue_session_reminders(online.starts_at - timedelta(hours=23)) == 1


def _events(data: bytes):
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_a_partner_s_session_ics_has_what_their_page_shows(people, online):
    loaded = scope.appointment_for_partner_or_404(people["a"], online.id)
    (event,) = _events(calendar.session_ics(loaded, people["a"], "http://localhost/my-sessions/1"))
    assert str(event["summary"]) == "Session with Robin Hale"
    assert event.decoded("dtstart") == online.starts_at
    assert event.decoded("dtend") == online.ends_at
    assert str(event["location"]) == LINK
    assert DETAILS not in str(event["description"])
    therapist_view = scope.appointment_for_therapist_or_404(people["therapist"], online.id)
    (event,) = _events(calendar.session_ics(therapist_view, people["therapist"], "http://x/"))
    assert str(event["summary"]) == "Therapy session"  # no couple's name in a calendar


def test_the_feed_holds_times_and_the_practice_only_and_can_be_revoked(people, online):
    therapist, couple, a, b = people["therapist"], people["couple"], people["a"], people["b"]
    a_only = make_session(therapist, couple, starts_at=utcnow() + timedelta(days=3), attendees="A")
    make_session(therapist, couple, starts_at=utcnow() + timedelta(days=4), status="cancelled")
    token = calendar.make_feed(b)
    stored = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == b.id))
    assert token not in stored.token_hash and stored.token_hash == scope.token_hash(token)
    owner = scope.feed_owner_or_404(token)
    data = calendar.feed_ics(owner)
    events = _events(data)
    assert [e.decoded("dtstart") for e in events] == [online.starts_at]  # not A's own session
    text = data.decode()
    assert "Harbor Couples Practice" in text and "Therapy session" in text
    for phi in (LINK, "video.example.org", DETAILS, "Lopez", "Robin Hale", a.name, b.name):
        assert phi not in text
    assert len(_events(calendar.feed_ics(scope.feed_owner_or_404(calendar.make_feed(a))))) == 2
    assert a_only.id
    # A new link replaces the old; turning it off ends it.
    newer = calendar.make_feed(b)
    with pytest.raises(NotAllowed):
        scope.feed_owner_or_404(token)
    assert calendar.revoke_feed(b) is True
    with pytest.raises(NotAllowed):
        scope.feed_owner_or_404(newer)
    b_active = calendar.make_feed(b)
    b.active = False
    with pytest.raises(NotAllowed):
        scope.feed_owner_or_404(b_active)
