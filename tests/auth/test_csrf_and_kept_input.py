"""CSRF is enforced, and neither an expired token nor an expired session loses typed text."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, finish_login
from therapy_portal.extensions import db
from therapy_portal.models import Couple, UserSession


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def _token(response) -> str:
    return (
        re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', response.data)
        .group(1)
        .decode()
    )


def _login(client, email):
    token = _token(client.get("/login"))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    return finish_login(client, response, email)


COUPLE = {
    "display_name": "Typed & Kept",
    "partner_a_name": "Long Name Typed",
    "partner_a_email": "kept.a@example.com",
    "confidentiality_policy": "no_secrets",
    "policy_agreed_on": "2026-01-05",
    "co_therapist_id": "0",
}


def test_post_without_a_token_is_refused(client, world):
    response = client.post(
        "/login", data={"email": world.emails["therapist"], "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"This form had expired" in response.data
    assert b"Log in</h1>" in response.data


def test_login_with_a_token_succeeds(client, world):
    assert _login(client, world.emails["therapist"]).status_code == 302


def test_bad_token_re_renders_the_form_with_everything_typed(app, client, world):
    _login(client, world.emails["therapist"])
    response = client.post("/couples/new", data={**COUPLE, "csrf_token": "forged"})
    assert response.status_code == 422
    assert b"This form had expired" in response.data
    assert b"Long Name Typed" in response.data and b"kept.a@example.com" in response.data
    with app.app_context():
        assert (
            db.session.scalar(select(Couple).where(Couple.display_name == "Typed & Kept")) is None
        )
    # Submitting again with the fresh token from the re-rendered page works.
    again = client.post("/couples/new", data={**COUPLE, "csrf_token": _token(response)})
    assert again.status_code == 302


def test_expired_session_keeps_the_form_and_restores_it_after_login(app, client, world):
    _login(client, world.emails["therapist"])
    token = _token(client.get("/couples/new"))
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.last_seen_at -= timedelta(hours=2)
        db.session.commit()
    response = client.post("/couples/new", data={**COUPLE, "csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_page = client.get(response.headers["Location"])
    assert b"We kept what you typed" in login_page.data
    after = finish_login(
        client,
        client.post(
            response.headers["Location"],
            data={
                "email": world.emails["therapist"],
                "password": PASSWORD,
                "csrf_token": _token(login_page),
            },
        ),
        world.emails["therapist"],
    )
    assert after.headers["Location"] == "/couples/new"
    restored = client.get("/couples/new")
    assert b"Long Name Typed" in restored.data and b"kept.a@example.com" in restored.data


def test_someone_else_logging_in_never_sees_the_kept_text(app, client, world):
    _login(client, world.emails["therapist"])
    token = _token(client.get("/couples/new"))
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.last_seen_at -= timedelta(hours=2)
        db.session.commit()
    client.post("/couples/new", data={**COUPLE, "csrf_token": token})
    login_page = client.get("/login")
    finish_login(
        client,
        client.post(
            "/login",
            data={
                "email": world.emails["other_therapist"],
                "password": PASSWORD,
                "csrf_token": _token(login_page),
            },
        ),
        world.emails["other_therapist"],
    )
    page = client.get("/couples/new")
    assert b"Long Name Typed" not in page.data
