"""A therapist adds a couple in a real browser; a partner opens the invitation and joins."""

from __future__ import annotations

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.mailbox import latest_link_in


def _invitation_link(app, email: str) -> str:
    return latest_link_in(app, email)


def test_therapist_adds_couple_and_partner_joins(app, world, page, new_page, live_server):
    log_in(page, world.emails["therapist"], PASSWORD)
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_role("link", name="Add a couple").click()
    page.get_by_label("Couple's display name").fill("Lopez & Kim")
    page.get_by_label("Partner A's name").fill("Ana Lopez")
    page.get_by_label("Partner A's email").fill("ana.lopez@example.com")
    page.get_by_label("Partner B's name (optional)").fill("Daniel Kim")
    page.get_by_label("Partner B's email (optional)").fill("daniel.kim@example.com")
    page.get_by_label("No secrets").check()
    page.get_by_label("Date the couple agreed to it").fill("2026-11-01")
    page.get_by_role("button", name="Add couple and send invitations").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Lopez & Kim"
    assert page.get_by_text("Invitation sent, not yet accepted").count() == 2

    partner = new_page()
    partner.goto(_invitation_link(app, "ana.lopez@example.com"))
    partner.get_by_label("New password").fill("a long private sentence")
    partner.get_by_label("Repeat the password").fill("a long private sentence")
    partner.get_by_role("button", name="Set password and continue").click()
    assert partner.get_by_role("heading", level=1).inner_text() == "My homework"
    assert partner.get_by_text("Nothing here yet.").is_visible()

    page.reload()
    assert page.get_by_text("Joined").count() == 1
