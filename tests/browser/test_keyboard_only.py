"""Keyboard only: a partner answers homework and a check-in, a therapist gives feedback, and every
invalid submit puts focus on the error summary.

No element is clicked or filled: Tab/Shift+Tab, Space, Enter, the arrow keys and typed text only
(tests/browser/keyboard.py). The error summary contract: an invalid submit reloads the page with
`#error-summary` (role=alert, tabindex=-1, heading "There is a problem", a link to each field)
and focus on it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import keyboard
from tests.factories import PASSWORD, totp_code
from tests.homework import factories as hw
from therapy_portal.extensions import db
from therapy_portal.measures.services import local_today, schedule_checkin
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Response
from therapy_portal.models.homework_answers import Feedback
from therapy_portal.models.measures import MeasureResponse

TITLE = "Keyboard exercise"
PROMPTS = [
    {
        "key": "well",
        "type": "long_text",
        "label": "What went well this week",
        "visibility": "shared_after_both",
        "max_length": 500,
    },
    {**hw.SCALE, "visibility": "shared_after_both"},
]
WELL = "We cooked dinner together on Tuesday"
FEEDBACK = "Cooking together is a ritual worth keeping."


def _people(world):
    therapist = db.session.get(User, world.ids["therapist"])
    return therapist, db.session.get(Couple, world.couple_ids["c1"])


def _homework(app, world, *, submitted: bool = False) -> int:
    """An exercise assigned to Couple One; with submitted=True both partners have answered."""
    with app.app_context():
        therapist, couple = _people(world)
        version = hw.make_version(therapist, PROMPTS, title=TITLE)
        occurrence = hw.first_occurrence(hw.assign(therapist, couple, version))
        if submitted:
            for who in ("partner_a", "partner_b"):
                partner = db.session.get(User, world.ids[who])
                hw.submit(partner, occurrence, {"p_well": [WELL], "p_close": ["6"]})
        db.session.commit()
        return occurrence.id


def _check_in(app, world) -> None:
    with app.app_context():
        therapist, couple = _people(world)
        schedule_checkin(therapist, couple, "csi4", 1, local_today("America/New_York"))
        db.session.commit()


def _partner(page, world):
    keyboard.log_in(page, world.emails["partner_a"], PASSWORD)


def _therapist(page, app, world):
    email = world.emails["therapist"]
    keyboard.log_in(page, email, PASSWORD, code=lambda: totp_code(app, email))


def test_partner_answers_and_submits_homework_by_keyboard_only(app, world, page):
    occurrence_id = _homework(app, world)
    _partner(page, world)
    keyboard.follow(page, TITLE)
    page.wait_for_load_state("load")
    keyboard.type_into(page, "What went well this week", WELL, tag="textarea")
    picked = keyboard.choose(page, 7)  # 0, 1, … 7
    assert picked["type"] == "radio"
    keyboard.press_button(page, "Submit")
    expect(page.get_by_text("Submitted. Your therapist will see your answers.")).to_be_visible()
    with app.app_context():
        response = db.session.scalar(
            select(Response).where(Response.occurrence_id == occurrence_id)
        )
        assert response.is_submitted
        assert response.answers["well"] == WELL and str(response.answers["close"]) == "7"


def test_partner_answers_a_check_in_by_keyboard_only(app, world, page):
    _check_in(app, world)
    _partner(page, world)
    keyboard.follow(page, "Your check-ins")
    keyboard.follow(page, "Answer the Couples Satisfaction Index \\(CSI-4\\)")
    for steps in (3, 4, 2, 5):
        keyboard.choose(page, steps)
    keyboard.press_button(page, "Send my answers")
    expect(page.get_by_text("Thank you. Your check-in was sent to your therapist.")).to_be_visible()
    with app.app_context():
        response = db.session.scalar(select(MeasureResponse))
        assert response.total == 3 + 4 + 2 + 5


def test_therapist_gives_feedback_by_keyboard_only(app, world, page):
    occurrence_id = _homework(app, world, submitted=True)
    _therapist(page, app, world)
    page.goto(f"/homework/occurrences/{occurrence_id}/review")
    keyboard.tab_to(page, "Feedback", tag="textarea")
    page.keyboard.type(FEEDBACK)
    # "For": Shift+Tab back into the audience group, then the arrow keys choose Partner A only.
    keyboard.tab_to(page, kind="radio", back=True)
    page.keyboard.press("ArrowDown")
    assert keyboard.focused(page)["name"].startswith("Partner A")
    keyboard.press_button(page, "Send feedback")
    expect(page.get_by_text("Feedback sent.")).to_be_visible()
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        assert feedback.body == FEEDBACK and feedback.audience == "A"


def _empty_homework(page, app, world) -> None:
    _homework(app, world)
    _partner(page, world)
    keyboard.follow(page, TITLE)
    keyboard.press_button(page, "Submit")


def _empty_check_in(page, app, world) -> None:
    _check_in(app, world)
    _partner(page, world)
    keyboard.follow(page, "Your check-ins")
    keyboard.follow(page, "Answer the Couples Satisfaction Index \\(CSI-4\\)")
    keyboard.press_button(page, "Send my answers")


def _empty_feedback(page, app, world) -> None:
    occurrence_id = _homework(app, world, submitted=True)
    _therapist(page, app, world)
    page.goto(f"/homework/occurrences/{occurrence_id}/review")
    keyboard.press_button(page, "Send feedback")


@pytest.mark.parametrize(
    "invalid_submit",
    [_empty_homework, _empty_check_in, _empty_feedback],
    ids=["homework", "check-in", "feedback"],
)
def test_focus_moves_to_the_error_summary_after_an_invalid_submit(app, world, page, invalid_submit):
    invalid_submit(page, app, world)
    expect(page.get_by_role("alert").first).to_be_visible()  # the submit was refused
    summary = page.locator("#error-summary")
    expect(summary).to_have_count(1)
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    assert summary.get_attribute("role") == "alert"
    assert summary.get_attribute("tabindex") == "-1"
    assert summary.locator("a[href^='#']").count() >= 1
    assert keyboard.active_id(page) == "error-summary"
    # Opening the refused form's address again (a reload from the address bar) is never a 405.
    response = page.goto(page.url)
    assert response is not None and response.status < 400, (page.url, response and response.status)
