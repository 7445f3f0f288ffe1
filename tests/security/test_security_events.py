"""Security events are audit events (ASVS 16.3.3): a refused CSRF token, a sign-in slowed or
refused by the throttles. Identifiers and fixed codes only: never a token, password or email."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent

WRONG = "wrong password here"
CSRF_ON = {"WTF_CSRF_ENABLED": True}
THROTTLES = {
    "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
    "LOGIN_DELAY_AFTER_FAILURES": 3,
    "LOGIN_STEP_UP_AFTER_FAILURES": 5,
    "LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes",
}


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _no_secrets(event: AuditEvent, *secrets: str) -> None:
    text = f"{event.detail} {event.object_type} {event.object_id}"
    for secret in secrets:
        assert secret not in text


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("app_overrides", [CSRF_ON])
def test_a_post_without_a_csrf_token_is_audited_without_the_form(app, client, world):
    secret = "typed password 12345"
    client.post("/login", data={"email": world.emails["therapist"], "password": secret})
    (event,) = _events(app, "security.csrf_failed")
    assert event.outcome == "denied" and event.actor_id is None
    assert event.detail == {"reason": "missing", "kind": "auth.login"}
    _no_secrets(event, secret, world.emails["therapist"])


@pytest.mark.parametrize("app_overrides", [CSRF_ON])
def test_a_wrong_csrf_token_of_a_signed_in_person_names_them(app, client, world):
    email = world.emails["partner_a"]  # signs in with a password alone
    data = {"email": email, "password": PASSWORD, "csrf_token": _token(client, "/login")}
    assert client.post("/login", data=data).status_code == 302
    _token(client, "/account/security")  # the session now holds a CSRF secret
    forged = "forged-token-value"
    client.post("/account/security/devices/forget", data={"csrf_token": forged})
    (event,) = _events(app, "security.csrf_failed")
    assert event.actor_id == world.ids["partner_a"] and event.actor_role == "client"
    assert event.detail == {"reason": "invalid", "kind": "auth.forget_devices"}
    _no_secrets(event, forged)


@pytest.mark.parametrize("app_overrides", [THROTTLES])
def test_a_slowed_sign_in_is_audited_naming_the_account_not_the_email(app, client, world):
    email = world.emails["therapist"]
    for _ in range(3):
        assert login(client, email, WRONG).status_code == 401
    assert _events(app, "auth.login_throttled") == []
    assert login(client, email, PASSWORD).status_code == 429
    (event,) = _events(app, "auth.login_throttled")
    assert event.outcome == "denied" and event.object_id == world.ids["therapist"]
    assert event.detail["count"] >= 1
    _no_secrets(event, email, PASSWORD)


@pytest.mark.parametrize("app_overrides", [THROTTLES])
def test_reaching_the_step_up_is_audited_once(app, world):
    email = world.emails["partner_a"]
    for i in range(7):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"203.0.113.{i + 1}"
        assert login(attacker, email, WRONG).status_code == 401
    (event,) = _events(app, "auth.login_step_up")
    assert event.object_id == world.ids["partner_a"] and event.detail == {"count": 5}
    _no_secrets(event, email, WRONG)


@pytest.mark.parametrize("app_overrides", [THROTTLES])
def test_an_address_over_its_limit_is_audited(app, world):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    for i in range(5):
        login(client, f"ghost{i}@example.com", WRONG)
    assert login(client, "ghost9@example.com", WRONG).status_code == 429
    (event,) = _events(app, "auth.rate_limited")
    assert event.outcome == "denied" and event.ip == "198.51.100.99"
    assert event.detail == {"kind": "auth.login"}
