"""Sessions in a real browser: a therapist schedules a weekly online session for a couple; both
partners see it and download its `.ics`; each partner's reminder reaches the outbox with no PHI;
after the session the therapist starts the note from it and signs it.

The portal has no clock to move, so "after the session" is made by moving the first session of
the series two hours into the past in the database, as the passing of time would.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import LiveServer, log_in
from tests.factories import PASSWORD
from therapy_portal.appointments import queries, reminders
from therapy_portal.consents.demo import sign_all
from therapy_portal.extensions import db
from therapy_portal.models import Couple, OutboxEmail, User, utcnow
from therapy_portal.models.appointments import Appointment
from therapy_portal.models.consents import ConsentKind
from therapy_portal.timezones import practice_today

LINK = "https://video.example.org/couple-one-weekly"


class PortRangeServer(LiveServer):
    """The live server, with links in emails made for its address."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        # Port 0: the system gives a free port, so two runs at once never collide.
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.app = app
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["PUBLIC_BASE_URL"] = self.url
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def live_server(app):
    with PortRangeServer(app) as server:
        yield server


def _schedule(page, world, tomorrow) -> None:
    log_in(page, world.emails["therapist"], PASSWORD)
    page.get_by_role("link", name="Sessions", exact=True).click()
    page.get_by_label("Schedule a session for").select_option(label="Couple One")
    page.get_by_role("button", name="Schedule a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a session")
    page.get_by_label("Both partners").check()
    page.get_by_label("Date", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("Start time").fill("17:00")
    page.get_by_label("Duration in minutes").fill("50")
    page.get_by_label("Online (video)").check()
    page.get_by_label("Meeting link").fill(LINK)
    page.get_by_label("Every week").check()
    page.get_by_label("Number of sessions").fill("6")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("The session is scheduled.")).to_be_visible()
    expect(page.get_by_text("Every week, 6 sessions")).to_be_visible()


def _therapist(world) -> User:
    return db.session.get(User, world.ids["therapist"])


def _partner_sees_and_downloads(page, world, who: str, tmp_path) -> None:
    log_in(page, world.emails[who], PASSWORD)
    page.get_by_role("link", name="My sessions").click()
    cards = page.locator(".card")
    expect(cards).to_have_count(6)
    expect(cards.first).to_contain_text("17:00")
    cards.first.get_by_role("link").click()
    expect(page.get_by_role("link", name="Join the online session")).to_have_attribute("href", LINK)
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    path = tmp_path / f"{who}.ics"
    info.value.save_as(path)
    (event,) = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "Session with Therapist X"
    assert str(event["location"]) == LINK
    assert (
        event.decoded("dtstart").astimezone(reminders.practice_zone("America/New_York")).hour == 17
    )


def _reminders_reach_each_partner(app, world) -> None:
    with app.app_context():
        first = db.session.scalar(select(Appointment).order_by(Appointment.starts_at))
        assert reminders.queue_session_reminders(first.starts_at - timedelta(hours=23)) == 2
        db.session.commit()
        emails = list(
            db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "session_reminder"))
        )
        names = [db.session.get(User, world.ids[w]).name for w in ("partner_a", "partner_b")]
    assert sorted(e.to_address for e in emails) == sorted(
        [world.emails["partner_a"], world.emails["partner_b"]]
    )
    for email in emails:
        text = email.subject + "\n" + email.body
        assert "You have a session on" in text and "at 17:00" in text
        for phi in (LINK, "video.example.org", "Couple One", "Therapist X", *names):
            assert phi not in text


def _time_passes(app) -> int:
    """Move the first session two hours into the past, as the clock would."""
    with app.app_context():
        first = db.session.scalar(select(Appointment).order_by(Appointment.starts_at))
        first.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=2)
        first.ends_at = first.starts_at + timedelta(minutes=50)
        db.session.commit()
        return first.id


def _missing_notes(app, world) -> list[int]:
    with app.app_context():
        return [a.id for a in queries.sessions_without_signed_note(_therapist(world))]


def _start_and_sign_the_note(page, session_id: int) -> None:
    page.goto(f"/sessions/{session_id}")
    page.get_by_label("DAP: Data / Assessment / Plan").check()
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session note (DAP): draft")
    expect(page.get_by_label("Start time")).to_have_value(re.compile(r"\d\d:\d\d"))
    expect(page.get_by_label("Video")).to_be_checked()
    page.wait_for_load_state("load")
    page.get_by_label("Data", exact=True).fill("Both partners joined online; cycle mapping.")
    page.get_by_role("button", name="Save and sign").click()
    page.wait_for_load_state()
    if page.locator("input[name=confirmed]").count():  # signing asks first (issue 11 point 7)
        page.locator("form:has(input[name=confirmed]) button[type=submit]").click()
    expect(page.get_by_text("Signature verified")).to_be_visible()
    page.goto(f"/sessions/{session_id}")
    expect(page.get_by_text("Open the signed note")).to_be_visible()


def _today_lists_no_note(page, session_id: int) -> bool:
    """Whether the therapist's Today page lists this session under "Sessions with no note yet"."""
    page.goto("/today")
    section = page.locator("section#no-note")
    expect(section.get_by_role("heading")).to_contain_text("Sessions with no note yet")
    return section.locator(f'a[href="/sessions/{session_id}"]').count() > 0


def test_weekly_online_session_from_scheduling_to_signed_note(app, world, page, new_page, tmp_path):
    with app.app_context():
        tomorrow = practice_today(_therapist(world)) + timedelta(days=1)
        # Both partners consented to online sessions (tests/browser/test_consents_flow.py).
        sign_all(db.session.get(Couple, world.couple_ids["c1"]), [ConsentKind.TELEHEALTH])
        db.session.commit()
    _schedule(page, world, tomorrow)
    for who in ("partner_a", "partner_b"):
        _partner_sees_and_downloads(new_page(), world, who, tmp_path)
    _reminders_reach_each_partner(app, world)
    session_id = _time_passes(app)
    assert _missing_notes(app, world) == [session_id]
    assert _today_lists_no_note(page, session_id)
    _start_and_sign_the_note(page, session_id)
    assert _missing_notes(app, world) == []
    assert not _today_lists_no_note(page, session_id)
