"""Autosave's status is where the writer is looking (issue 15): the partner's answer page and
the therapist's note editor keep "Saved" on screen (a sticky footer) from the form's first field
to its last, on a phone and a laptop, not hidden under the tab bar; partners see "Save draft"
before "Submit".
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.homework import factories as hw
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
# Long enough that the page is several screens tall on a phone.
PROMPTS = [
    {
        "key": f"q{i}",
        "type": "long_text",
        "label": f"Question {i}",
        "visibility": "therapist_only",
        "max_length": 2000,
    }
    for i in range(1, 7)
]

# On screen, with a height, and the top element at its middle is the status itself (or inside it).
_ON_SCREEN = """el => {
  const r = el.getBoundingClientRect();
  if (!(r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight)) return false;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit !== null && (hit === el || el.contains(hit));
}"""


def _on_screen(locator) -> bool:
    return locator.evaluate(_ON_SCREEN)


def _assert_visible_wherever_scrolled(page, status) -> None:
    """From the first field to the last (each scrolled into view as typing would), the status
    stays on screen."""
    fields = page.locator("form[data-autosave-url] textarea")
    assert fields.count() > 1
    for i in range(fields.count()):
        fields.nth(i).focus()
        fields.nth(i).scroll_into_view_if_needed()
        assert _on_screen(status), f"autosave status off screen at field {i + 1}"
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("form[data-autosave-url] textarea").first.focus()


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_partner_sees_saved_wherever_the_page_is_scrolled(app, world, page, size):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        version = hw.make_version(therapist, PROMPTS, title="Long exercise")
        occurrence = hw.first_occurrence(hw.assign(therapist, couple, version))
        db.session.commit()
        occurrence_id = occurrence.id
    page.set_viewport_size(size)
    log_in(page, world.emails["partner_a"], PASSWORD)
    page.goto(f"/homework/{occurrence_id}")
    page.wait_for_load_state("load")
    buttons = page.locator("form button[type=submit]").all_inner_texts()
    assert buttons.index("Save draft") < buttons.index("Submit"), buttons
    page.get_by_label("Question 1").fill("A first thought")
    status = page.locator("#autosave-status")
    expect(status).to_have_text("Saved", timeout=10_000)
    _assert_visible_wherever_scrolled(page, status)


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_note_editor_keeps_saved_on_screen(app, world, page, size):
    from tests.notes.factories import make_note

    with app.app_context():
        note = make_note(
            db.session.get(User, world.ids["therapist"]),
            db.session.get(Couple, world.couple_ids["c1"]),
        )
        db.session.commit()
        note_id = note.id
    page.set_viewport_size(size)
    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto(f"/notes/{note_id}/edit")
    page.wait_for_load_state("load")
    page.locator("#note-form textarea").first.fill("Worked on soft start-up.")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text(re.compile("saved", re.I), timeout=10_000)
    _assert_visible_wherever_scrolled(page, status)
