"""Today in a real browser: the therapist lands on it, sees a waiting answer and a draft note,
follows both links; a partner's home shows Due now."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.today import scenario
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User


def _busy_day(app, world) -> None:
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        scenario.waiting_answer(therapist, couple, "Appreciation walk")
        scenario.draft_note(therapist, couple, days_ago=4)
        scenario.running_checkin(therapist, couple, days_ago=1)
        db.session.commit()


def test_therapist_lands_on_today_and_follows_its_links(app, world, page, new_page):
    _busy_day(app, world)
    log_in(page, world.emails["therapist"], PASSWORD)
    assert page.url.endswith("/today")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("link", name="Answers waiting for review: 1")).to_be_visible()
    expect(page.get_by_text("Session over 72 hours ago")).to_be_visible()

    page.get_by_role("link", name="Couple One: Appreciation walk").click()
    assert "/review" in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Appreciation walk")

    page.get_by_role("link", name="Today").click()
    page.locator("#notes").get_by_role("link", name="Couple One").click()
    assert page.url.endswith("/edit")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.get_by_role("link", name="Today").click()
    page.get_by_role("link", name="All couples").click()
    expect(page.get_by_role("link", name="Couple One", exact=True)).to_be_visible()

    partner = new_page()
    log_in(partner, world.emails["partner_b"], PASSWORD)
    expect(partner.get_by_role("heading", name="Due now")).to_be_visible()
    due = partner.locator("section", has=partner.get_by_role("heading", name="Due now"))
    expect(due.get_by_role("link", name="Appreciation walk")).to_be_visible()
    expect(due.get_by_role("link", name="CSI-4")).to_be_visible()
    expect(partner.get_by_text("Therapist X, LMFT")).to_be_visible()
