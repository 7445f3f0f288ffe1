"""Photos in Chromium: a partner attaches a photo to the memory lane exercise (a real file
chooser, multipart with CSRF), it survives a reload, can be removed before submit, and after
submit the therapist's review page shows its thumbnail."""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.homework import photo_samples
from tests.homework.factories import assign, first_occurrence
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import ExerciseTemplate

PHOTOS = "One to three photos of a time we enjoyed"


def _memory_lane(app, world) -> int:
    with app.app_context():
        services.load_library()
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "memory-lane")
        )
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        occurrence = first_occurrence(assign(therapist, couple, services.latest_version(template)))
        db.session.commit()
        return occurrence.id


def _choose(page, name: str) -> None:
    page.get_by_label(PHOTOS).set_input_files(
        {"name": name, "mimeType": "image/jpeg", "buffer": photo_samples.jpeg_with_gps()}
    )


def _thumbnail_loaded(page) -> bool:
    """The first thumbnail has arrived and decoded (it may still be loading when its element is
    on the page: wait for it, up to the page's timeout)."""
    image = page.locator("ul.photos img").first
    image.scroll_into_view_if_needed()
    try:
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    except PlaywrightTimeout:
        return False
    return True


def test_a_partner_attaches_a_photo_and_the_therapist_sees_it(app, world, page, new_page):
    occurrence_id = _memory_lane(app, world)
    partner_a = new_page()
    log_in(partner_a, world.emails["partner_a"], PASSWORD)
    partner_a.goto(f"/homework/{occurrence_id}")
    expect(partner_a.get_by_text("at most 10 MB and 40 megapixels").first).to_be_visible()

    partner_a.get_by_label("What was happening, and what I remember feeling").fill("The lake")
    _choose(partner_a, "lake.jpg")
    partner_a.get_by_role("button", name="Save draft").click()
    expect(partner_a.get_by_text("Draft saved.")).to_be_visible()
    expect(partner_a.locator("ul.photos img")).to_have_count(1)
    assert _thumbnail_loaded(partner_a)

    partner_a.reload()  # attached photos and text survive a reload
    expect(partner_a.locator("ul.photos img")).to_have_count(1)
    expect(partner_a.get_by_label("What was happening, and what I remember feeling")).to_have_value(
        "The lake"
    )

    partner_a.get_by_label("Remove photo 1 when I save").check()
    partner_a.get_by_role("button", name="Save draft").click()
    expect(partner_a.get_by_text("Draft saved.")).to_be_visible()
    expect(partner_a.locator("ul.photos img")).to_have_count(0)

    _choose(partner_a, "again.jpg")
    partner_a.get_by_label("8", exact=True).check()
    partner_a.get_by_role("button", name="Submit").click()
    expect(
        partner_a.get_by_text("Submitted. Your therapist will see your answers.")
    ).to_be_visible()
    expect(partner_a.get_by_role("link", name="Download my answer (PDF)")).to_be_visible()

    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto(f"/homework/occurrences/{occurrence_id}/review")
    expect(page.locator("ul.photos img")).to_have_count(1)
    assert _thumbnail_loaded(page)
