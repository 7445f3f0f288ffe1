"""ASVS password rules: 12+ characters, not one of the 10,000 most common, not built from the
person's name, email or practice; no composition rules; pasting and password managers work."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, login
from therapy_portal.passwords import common_passwords, password_problem, person_context


@pytest.fixture
def context(ctx) -> list[str]:
    return person_context("Maya Chen", "maya.chen@riverside.example.org", "Riverside Counseling")


def test_the_shipped_list_holds_the_10000_most_common_passwords(ctx):
    common = common_passwords()
    assert len(common) == 10_000
    assert {"123456", "password", "qwerty123456", "1qaz2wsx3edc"} <= common


@pytest.mark.parametrize("password", ["qwerty123456", "1qaz2wsx3edc", "123qweasdzxc"])
def test_a_top_10000_password_is_refused_with_a_clear_message(ctx, password):
    assert password_problem(password) == (
        "That password is too common: it is one of the 10,000 passwords people use most. "
        "Try a short sentence only you would write."
    )


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "password12345", "1111111111111", "abcdefghijklmnop"]
)
def test_patterns_that_are_quick_to_guess_are_refused(ctx, password):
    assert "too common or too easy to guess" in password_problem(password)


@pytest.mark.parametrize(
    "password",
    [
        "mayachen2026!",
        "Maya Chen forever",
        "maya.chen@riverside",
        "riverside counseling 1",
        "my therapy portal pass",
    ],
)
def test_the_persons_name_email_or_practice_is_refused(context, password):
    assert password_problem(password, context) == (
        "Don't use your name, your email address or your practice's name in your password."
    )


def test_length_limits(ctx):
    assert password_problem("elevenchars") == "Use at least 12 characters."
    assert password_problem("x" * 129) == "Use at most 128 characters."
    long_one = "the heron waited by the cold green river " * 3
    assert len(long_one) > 64 and password_problem(long_one.strip()[:128]) is None


def test_no_composition_rules(context):
    # Lower case only, no digits or symbols: fine when it is long and uncommon.
    assert password_problem("correct horse battery", context) is None
    assert password_problem("copper kettles hum at dawn", context) is None


def test_the_change_password_page_explains_a_refusal_and_allows_pasting(client, world):
    login(client, world.emails["partner_a"])
    page = client.get("/account/password")
    assert b"onpaste" not in page.data and b'autocomplete="new-password"' in page.data
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "qwerty123456", "confirm": "qwerty123456"},
    )
    assert b"one of the 10,000 passwords people use most" in response.data


def test_the_strength_meter_answers_with_the_same_rules(client, world):
    weak = client.post("/password/strength", json={"password": "qwerty123456"})
    assert weak.json["score"] == 0 and "10,000" in weak.json["message"]
    strong = client.post("/password/strength", json={"password": "copper kettles hum at dawn"})
    assert strong.json["score"] >= 3
    login(client, world.emails["partner_a"])
    with client.application.app_context():
        from therapy_portal.extensions import db
        from therapy_portal.models import User

        name = db.session.get(User, world.ids["partner_a"]).name
    own = client.post("/password/strength", json={"password": name + " 2026 rocks"})
    assert "your name" in own.json["message"]


def test_pages_with_a_new_password_load_the_meter(client, world):
    login(client, world.emails["partner_a"])
    assert b"password-meter.js" in client.get("/account/password").data
