"""One partner per device moment: the answer page says who is answering, and after partner A
signs out on a shared browser, partner B signing in there never sees A's draft, not even by
going back through the history."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.homework.factories import assign, first_occurrence, make_version
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User

A_DRAFT = "Partner A's unsent words about the argument on Sunday"
PROMPT = "Shared after both submit"


def _occurrence(app, world) -> tuple[int, str, str]:
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        occurrence = first_occurrence(assign(therapist, couple, make_version(therapist)))
        names = (
            db.session.get(User, world.ids["partner_a"]).name,
            db.session.get(User, world.ids["partner_b"]).name,
        )
        db.session.commit()
        return occurrence.id, *names


def _never_shows_a(page) -> None:
    assert A_DRAFT not in page.content(), page.url
    for field in page.get_by_role("textbox").all():
        assert A_DRAFT not in field.input_value(), page.url


def test_partner_b_never_sees_partner_as_draft_on_the_same_browser(app, world, page):
    occurrence_id, name_a, name_b = _occurrence(app, world)
    url = f"/homework/{occurrence_id}"

    log_in(page, world.emails["partner_a"], PASSWORD)
    response = page.goto(url)
    assert response.headers["cache-control"] == "no-store"
    page.wait_for_load_state("load")
    expect(page.get_by_text(f"You are answering as {name_a}")).to_be_visible()
    page.get_by_label(PROMPT).fill(A_DRAFT)  # typed, then A leaves at once
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login**")
    assert page.evaluate("() => window.sessionStorage.length + window.localStorage.length") == 0

    # Back from the login page: the answer page is fetched again, and without a session it
    # goes back to the login page.
    page.go_back()
    page.wait_for_load_state("load")
    _never_shows_a(page)

    log_in(page, world.emails["partner_b"], PASSWORD)
    page.goto(url)
    page.wait_for_load_state("load")
    expect(page.get_by_text(f"You are answering as {name_b}")).to_be_visible()
    _never_shows_a(page)
    # Walk the whole history back and forth: A's words never come back.
    for _ in range(6):
        if page.go_back() is None:
            break
        page.wait_for_load_state("load")
        _never_shows_a(page)
    for _ in range(6):
        if page.go_forward() is None:
            break
        page.wait_for_load_state("load")
        _never_shows_a(page)
