"""Login throttling per address (Flask-Limiter, memory and Redis storage) and the per-account
delay, as seen from one address."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from tests.factories import PASSWORD, login


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


STORAGES = ["memory://"]
if _redis_available() or os.environ.get("CI") == "true":
    STORAGES.append("redis://127.0.0.1:6379/15")


@pytest.fixture(params=STORAGES)
def app_overrides(request):
    return {
        "RATELIMIT_STORAGE_URI": request.param,
        "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
        "LOGIN_DELAY_AFTER_FAILURES": 3,
        "LOGIN_LIMIT_PER_ADDRESS": "6 per 15 minutes",
    }


def test_account_is_throttled_after_repeated_failures_even_with_the_right_password(client, world):
    email = world.emails["therapist"]
    for _ in range(3):
        assert login(client, email, "wrong password here").status_code == 401
    blocked = login(client, email, PASSWORD)
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
    assert email.encode() in blocked.data  # the email the person typed is kept


def test_throttle_is_per_account(client, world):
    for _ in range(3):
        login(client, world.emails["therapist"], "wrong password here")
    assert login(client, world.emails["other_therapist"]).status_code == 302


def test_unknown_accounts_are_throttled_the_same_way(client):
    for _ in range(3):
        assert login(client, "ghost@example.com", "wrong password here").status_code == 401
    assert login(client, "ghost@example.com", "wrong password here").status_code == 429


def test_address_is_throttled_across_accounts(client, world):
    for i in range(6):
        login(client, f"spray{i}@example.com", "wrong password here")
    assert login(client, world.emails["therapist"]).status_code == 429


def test_successful_logins_do_not_count(client, world):
    for _ in range(5):
        assert login(client, world.emails["therapist"]).status_code == 302
        client.post("/logout")
