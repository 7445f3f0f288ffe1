"""The design system in a real browser: the progress page fits a 390 px phone once a check-in
is scheduled and answered, the error summary takes focus after an invalid submit, and reloading
that address by GET never shows a 405."""

from __future__ import annotations

from datetime import timedelta

from tests import clock
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.measures.factories import make_response, make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User

PHONE = {"width": 390, "height": 844}


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_progress_page_fits_a_phone(app, world, page):
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        partner_a = db.session.get(User, world.ids["partner_a"])
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(days=1))
        make_response(schedule, partner_a, 0, total=12)
        db.session.commit()
        couple_id = couple.id
    page.set_viewport_size(PHONE)
    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto(f"/couples/{couple_id}/progress")
    stop = page.get_by_role("button", name="Stop this check-in")
    assert stop.is_visible()
    assert _overflow(page) <= 0
    box = stop.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    # The phone's chart is the narrow drawing (readable text), not the wide one scaled down.
    src = page.eval_on_selector("figure.chart img", "img => img.currentSrc")
    narrow = page.eval_on_selector("figure.chart source", "s => s.srcset")
    assert src == narrow


def test_the_error_summary_takes_focus_and_a_reload_is_never_a_405(app, world, page):
    page.set_viewport_size(PHONE)
    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto("/couples/new")
    page.get_by_role("button", name="Add couple and send invitations").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    first = summary.get_by_role("link").first
    target = first.get_attribute("href").removeprefix("#")
    first.click()
    assert page.evaluate("document.activeElement.id") == target
    assert _overflow(page) <= 0
    response = page.goto("/couples/1/close")
    assert response is not None and response.status != 405
    assert "Not available" not in page.content()
