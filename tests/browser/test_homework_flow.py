"""Homework end to end in Chromium: assign, draft with autosave, reload, submit, sharing after
both submit, side-by-side review, feedback to one partner only."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from therapy_portal.extensions import db
from therapy_portal.homework import services

A_TEXT = "Made coffee before my early shift"
B_TEXT = "Picked my sister up from the airport"


def _assign(page, couple_name: str, exercise: str, *, once: bool) -> None:
    page.get_by_role("link", name="Caseload").click()
    page.get_by_role("link", name=couple_name, exact=True).click()
    page.get_by_role("link", name="Assign homework").click()
    page.get_by_role("link", name=f"Choose {exercise}").click()
    page.get_by_label("Each partner answers separately").check()
    if once:
        page.get_by_label("Once", exact=True).check()
    page.get_by_role("button", name="Assign homework").click()
    expect(page.get_by_text("Homework assigned.")).to_be_visible()


def test_homework_from_assignment_to_feedback(app, world, page, new_page):
    with app.app_context():
        services.load_library()
        db.session.commit()

    # The therapist assigns a gratitude exercise (each partner, shared after both submit) and a
    # time-apart exercise.
    log_in(page, world.emails["therapist"], PASSWORD)
    _assign(page, "Couple One", "Daily appreciation log", once=True)
    expect(page.get_by_text("Shared with the partner after both submit").first).to_be_visible()
    _assign(page, "Couple One", "Solo time", once=False)

    # Partner A drafts; autosave keeps it; after a reload the draft is still there; A submits.
    partner_a = new_page()
    log_in(partner_a, world.emails["partner_a"], PASSWORD)
    expect(partner_a.get_by_role("heading", name="Due now")).to_be_visible()
    expect(partner_a.get_by_role("link", name="Solo time")).to_be_visible()
    partner_a.get_by_role("link", name="Daily appreciation log").click()
    expect(
        partner_a.get_by_text(
            "Your partner will see this answer once you have both submitted."
        ).first
    ).to_be_visible()
    partner_a.wait_for_load_state("load")  # the autosave script has run
    partner_a.get_by_label("Something my partner did today").fill(A_TEXT)
    expect(partner_a.locator("#autosave-status")).to_have_text("Saved", timeout=8000)
    partner_a.reload()
    expect(partner_a.get_by_label("Something my partner did today")).to_have_value(A_TEXT)
    partner_a.get_by_label("Why it mattered to me").fill("I felt looked after")
    partner_a.get_by_label("Yes", exact=True).check()
    partner_a.get_by_label("4", exact=True).check()
    partner_a.get_by_role("button", name="Submit").click()
    expect(
        partner_a.get_by_text("Submitted. Your therapist will see your answers.")
    ).to_be_visible()
    occurrence_url = partner_a.url

    # Partner B cannot see A's answer until B submits, then sees it.
    partner_b = new_page()
    log_in(partner_b, world.emails["partner_b"], PASSWORD)
    partner_b.goto(occurrence_url)
    expect(partner_b.get_by_role("heading", name="My partner's answers")).to_be_visible()
    expect(partner_b.get_by_text(A_TEXT)).to_have_count(0)
    partner_b.get_by_label("Something my partner did today").fill(B_TEXT)
    partner_b.get_by_label("Why it mattered to me").fill("It meant a lot to my family")
    partner_b.get_by_label("No", exact=True).check()
    partner_b.get_by_label("2", exact=True).check()
    partner_b.get_by_role("button", name="Submit").click()
    expect(partner_b.get_by_text("Submitted.")).to_be_visible()
    expect(partner_b.get_by_text(A_TEXT)).to_be_visible()

    # The therapist reviews side by side and gives feedback to A only.
    page.get_by_role("link", name="Homework to review").click()
    page.get_by_role("link", name=re.compile("Daily appreciation log")).click()
    sides = page.locator(".side-by-side").filter(has_text=A_TEXT)
    expect(sides).to_have_count(1)
    expect(sides.get_by_text(B_TEXT)).to_be_visible()
    expect(page.get_by_text("Gap: 2 points apart.")).to_be_visible()
    page.get_by_label("Partner A only").check()
    page.get_by_label("Feedback", exact=True).fill("Noticing small kindnesses is the work.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Feedback sent.")).to_be_visible()
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("Marked as reviewed.")).to_be_visible()

    # A sees the feedback; B does not.
    partner_a.reload()
    expect(partner_a.get_by_text("Noticing small kindnesses is the work.")).to_be_visible()
    partner_b.reload()
    expect(partner_b.get_by_role("heading", level=1)).to_have_text("Daily appreciation log")
    expect(partner_b.get_by_text("Noticing small kindnesses")).to_have_count(0)


def _occurrence_for_c1(app, world) -> int:
    from sqlalchemy import select

    from tests.homework.factories import assign, make_version
    from therapy_portal.models import Couple, User
    from therapy_portal.models.homework import Occurrence

    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        assignment = assign(therapist, couple, make_version(therapist))
        occurrence_id = db.session.scalar(
            select(Occurrence.id).where(Occurrence.assignment_id == assignment.id)
        )
        db.session.commit()
        return occurrence_id


def test_autosave_retries_when_offline_and_stops_on_a_conflict(app, world, page, new_page):
    occurrence_id = _occurrence_for_c1(app, world)
    log_in(page, world.emails["partner_a"], PASSWORD)
    page.goto(f"/homework/{occurrence_id}")
    second_tab = page.context.new_page()
    second_tab.goto(f"/homework/{occurrence_id}")

    # The network drops: the status says so, and the save goes through once it is back.
    page.route("**/draft", lambda route: route.abort())
    page.get_by_label("Only for my therapist").fill("Written while the network was down")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved", timeout=8000)
    page.unroute("**/draft")
    expect(page.locator("#autosave-status")).to_have_text("Saved", timeout=15000)

    # The second tab still has the old version: its save is refused and both texts are kept.
    second_tab.get_by_label("Only for my therapist").fill("Written in the second tab")
    expect(second_tab.locator("#autosave-status")).to_contain_text(
        "changed in another window", timeout=8000
    )
    second_tab.reload()
    expect(second_tab.get_by_label("Only for my therapist")).to_have_value(
        "Written while the network was down"
    )
    expect(second_tab.get_by_text("Written in the second tab")).to_be_visible()
