"""The browser signs out by itself: a warning before the idle limit with "Stay signed in", then
the page clears and goes to the login page, keeping what was typed for the same person."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD


@pytest.fixture
def app_overrides() -> dict:
    return {
        "WTF_CSRF_ENABLED": True,
        "SESSION_IDLE_MINUTES_STAFF": 0.15,  # 9 seconds
        "SESSION_WARNING_SECONDS": 5,
        "SESSION_TOUCH_SECONDS": 0,
    }


def test_warning_then_the_page_clears_and_the_typing_is_kept(world, page):
    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto("/couples/new")
    page.get_by_label("Couple's display name").fill("Typed Before Leaving")
    warning = page.get_by_role("dialog")
    warning.wait_for(state="visible", timeout=15_000)
    assert "signed out in" in warning.inner_text()
    page.wait_for_url("**/login**", timeout=20_000)
    assert page.get_by_text("Typed Before Leaving").count() == 0
    assert "kept what you typed" in page.content()
    log_in(page, world.emails["therapist"], PASSWORD)  # back on the same form, text restored
    assert page.url.endswith("/couples/new")
    assert page.get_by_label("Couple's display name").input_value() == "Typed Before Leaving"


def test_stay_signed_in_keeps_the_session(world, page):
    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto("/couples")
    warning = page.get_by_role("dialog")
    warning.wait_for(state="visible", timeout=15_000)
    page.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    page.wait_for_timeout(6_000)  # past the original limit
    assert page.url.endswith("/couples")
    assert page.goto("/couples").url.endswith("/couples")
