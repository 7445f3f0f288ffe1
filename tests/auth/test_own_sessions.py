"""A person sees where they are signed in and ends other sessions (ASVS 7.5.2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import login
from therapy_portal.auth.own_sessions import describe_device
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, UserSession

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


def _browser(app, email: str, agent: str, address: str):
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    assert login(client, email).status_code == 302
    return client


def _live_ids(app, user_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(UserSession.id)
                .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                .order_by(UserSession.id)
            )
        )


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE, "Edge on Windows"),
        ("curl/8.5", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_the_device_is_read_from_the_user_agent(agent, device):
    assert describe_device(agent) == device


def test_the_security_page_lists_each_session_and_marks_this_one(app, world):
    email, user_id = world.emails["partner_a"], world.ids["partner_a"]
    laptop = _browser(app, email, FIREFOX_WINDOWS, "198.51.100.10")
    _browser(app, email, SAFARI_IPHONE, "198.51.100.20")
    page = laptop.get("/account/security").get_data(as_text=True)
    assert "Signed-in sessions" in page
    assert "Firefox on Windows <strong>(this session)</strong>" in page
    assert "Safari on iPhone" in page and "198.51.100.20" in page
    assert page.count("End this session") == 1  # only for the other one
    assert "End all other sessions" in page
    _, phone_row = _live_ids(app, user_id)
    assert f"/account/sessions/{phone_row}/end" in page


def test_ending_another_session_signs_that_browser_out_and_is_audited(app, world):
    email, user_id = world.emails["therapist"], world.ids["therapist"]
    office = _browser(app, email, FIREFOX_WINDOWS, "198.51.100.10")
    home = _browser(app, email, SAFARI_IPHONE, "198.51.100.20")
    _, home_row = _live_ids(app, user_id)
    response = office.post(f"/account/sessions/{home_row}/end", follow_redirects=True)
    assert b"That session was ended" in response.data
    assert home.get("/couples").status_code == 302  # to the login page
    assert office.get("/couples").status_code == 200
    (event,) = _events(app, "auth.session_end")
    assert (event.actor_id, event.object_type, event.object_id) == (
        user_id,
        "user_session",
        home_row,
    )
    assert event.detail == {} and event.couple_id is None


def test_end_all_other_sessions_keeps_only_this_one(app, world):
    email, user_id = world.emails["partner_b"], world.ids["partner_b"]
    first = _browser(app, email, FIREFOX_WINDOWS, "198.51.100.10")
    others = [_browser(app, email, SAFARI_IPHONE, f"198.51.100.{i}") for i in (21, 22)]
    assert len(_live_ids(app, user_id)) == 3
    response = first.post("/account/sessions/end-others", follow_redirects=True)
    assert b"Every other session was ended" in response.data
    assert len(_live_ids(app, user_id)) == 1
    assert all(o.get("/home").status_code == 302 for o in others)
    assert first.get("/home").status_code == 200
    (event,) = _events(app, "auth.other_sessions_end")
    assert event.actor_id == user_id and event.detail == {"count": 2}


def test_someone_elses_session_is_not_found_and_this_one_is_ended_by_logging_out(app, world):
    victim = _browser(app, world.emails["partner_a"], SAFARI_IPHONE, "198.51.100.20")
    (victim_row,) = _live_ids(app, world.ids["partner_a"])
    attacker = _browser(app, world.emails["partner_b"], FIREFOX_WINDOWS, "198.51.100.30")
    assert attacker.post(f"/account/sessions/{victim_row}/end").status_code == 404
    assert victim.get("/home").status_code == 200
    (denied,) = _events(app, "auth.session_end")
    assert denied.outcome == "denied" and denied.actor_id == world.ids["partner_b"]
    (own_row,) = _live_ids(app, world.ids["partner_b"])
    refused = attacker.post(f"/account/sessions/{own_row}/end", follow_redirects=True)
    assert b"To end this session, log out." in refused.data
    assert attacker.get("/home").status_code == 200
