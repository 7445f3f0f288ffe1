"""A therapist writes a DAP note in a real browser: digest, sign, addendum, PDF, ZIP."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from pypdf import PdfReader

from tests import clock
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.notes import digest as digests


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {
        "WTF_CSRF_ENABLED": True,
        "NOTE_EXPORT_DIR": str(tmp_path / "exports"),
    }


def _homework(couple, since, until):
    return [digests.DigestSection("Homework", ["Completed by both: Memory letter"])]


def _earlier_signed_note(app, world) -> None:
    from tests.notes.factories import make_note

    with app.app_context():
        make_note(
            db.session.get(User, world.ids["therapist"]),
            db.session.get(Couple, world.couple_ids["c1"]),
            signed=True,
            session_date=clock.today() - timedelta(days=10),
        )
        db.session.commit()


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_therapist_writes_signs_amends_and_exports_a_dap_note(app, world, page, tmp_path):
    _earlier_signed_note(app, world)
    digests.digest_provider(_homework)
    try:
        _write_sign_amend_export(page, world, tmp_path)
    finally:
        digests.unregister(_homework)


def _write_sign_amend_export(page, world, tmp_path) -> None:
    log_in(page, world.emails["therapist"], PASSWORD)
    page.goto(f"/couples/{world.couple_ids['c1']}/notes")
    page.get_by_role("link", name="New session note").click()
    page.get_by_label("DAP: Data / Assessment / Plan").check()
    page.get_by_label("Session date").fill(clock.today().isoformat())
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End time").fill("09:50")
    page.get_by_label("Both partners").check()
    page.get_by_role("button", name="Start the note").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Session note (DAP): draft"
    page.wait_for_load_state("load")  # the autosave script has run

    page.get_by_label("Data", exact=True).fill("Partners practised a soft start-up in session.")
    page.get_by_text("Draft saved at").wait_for()  # autosave, JSON with the CSRF header
    page.get_by_label("Assessment", exact=True).fill("Less escalation than last week.")
    page.get_by_label("Plan", exact=True).fill("Repeat the memory letter; meet next week.")
    page.get_by_role("button", name="Insert since-last-session digest").click()
    digest = page.get_by_label("Since last session")
    assert "Completed by both: Memory letter" in digest.input_value()
    digest.fill(digest.input_value() + "\nDiscussed in session: both found it moving.")
    page.get_by_role("button", name="Save and sign").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign this note?"
    page.get_by_role("button", name="Sign the note").click()
    assert page.get_by_text("Signature verified").is_visible()

    page.get_by_label("Reason").fill("Clarify the homework")
    page.get_by_label("Addendum", exact=True).fill("The memory letter was written jointly.")
    page.get_by_role("button", name="Sign and add addendum").click()
    assert page.get_by_role("heading", name="Addendum 1: Correction").is_visible()

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("session-note-")
    download.save_as(tmp_path / "note.pdf")
    text = _pdf_text((tmp_path / "note.pdf").read_bytes())
    for expected in (
        "Data",
        "Assessment",
        "Plan",
        "Couple One",
        "Memory letter",
        "The memory letter was written jointly.",
        "Page 1 of",
    ):
        assert expected in text

    page.get_by_role("link", name="All notes of this couple").click()
    page.get_by_role("button", name="Export all signed notes (ZIP)").click()
    page.get_by_role("link", name="Download the ZIP").wait_for(timeout=60_000)
    assert page.get_by_text("Ready: 2 files.").is_visible()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name="Download the ZIP").click()
    path = tmp_path / "notes.zip"
    info.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert len([n for n in names if n.startswith("session-note-")]) == 2
