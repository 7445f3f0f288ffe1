"""Consents in a real browser: partner A finds the online-sessions consent waiting on the home
page, signs it (after a wrong name is refused with the text kept), and partner B signs too;
then the therapist's scheduling of an online session goes through."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from therapy_portal.extensions import db
from therapy_portal.models import Couple
from therapy_portal.models.consents import ConsentKind
from therapy_portal.policy import consents as rules

DOCUMENT = "Online sessions and messaging"


def _sign(page, email: str, name: str) -> None:
    log_in(page, email, PASSWORD)
    page.goto("/home")
    page.get_by_role("link", name=f"{DOCUMENT}: not signed yet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DOCUMENT)
    field = page.get_by_label("Type your full name to sign")
    field.fill("Somebody Else")
    page.get_by_role("button", name="Sign this consent").click()
    expect(page.locator("#typed_name-error")).to_be_visible()
    expect(field).to_have_value("Somebody Else")
    field.fill(f"  {name.lower()} ")
    page.get_by_role("button", name="Sign this consent").click()
    expect(page.get_by_text("Signed. Thank you")).to_be_visible()
    expect(page.get_by_text("You signed this version on")).to_be_visible()


def test_both_partners_sign_and_the_online_session_may_go_ahead(app, world, new_page):
    _sign(new_page(), world.emails["partner_a"], "Partner A of Couple One")
    b = new_page()
    _sign(b, world.emails["partner_b"], "Partner B of Couple One")
    b.goto("/consents")
    row = b.get_by_role("row", name=DOCUMENT)
    expect(row).to_contain_text("Signed")
    expect(b.locator("body")).not_to_contain_text("partner a of couple one")  # what A typed
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        assert rules.missing(couple, ConsentKind.TELEHEALTH, "AB") == []
