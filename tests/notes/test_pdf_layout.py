"""A note PDF's page furniture: "Page n of N" on every page, the practice name once per page (the
letterhead on page one, the running header after), and the signature never alone on a page."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.notes.factories import make_note
from therapy_portal.extensions import db
from therapy_portal.models.note_formats import FORMATS
from therapy_portal.notes import export

PRACTICE = "Harbor Couples Practice"


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _long_note(people, words: int):
    fmt = FORMATS["soap"]
    body = " ".join(f"word{i}" for i in range(words))
    sections = {s.key: f"{s.title}: {body}" for s in fmt.sections}
    note = make_note(
        people["therapist"],
        people["couple"],
        fmt="soap",
        signed=True,
        sections=sections,
        digest="Homework: Love maps, submitted by both.",
    )
    db.session.commit()
    return note


@pytest.mark.parametrize("words", [40, 900, 1500])
def test_every_page_is_numbered_and_names_the_practice_once(people, words):
    note = _long_note(people, words)
    pages = pages_text(export.export_note_pdf(people["therapist"], note.id).pdf)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert text.count(PRACTICE) == 1, (number, text[:300])


@pytest.mark.parametrize("words", range(300, 1500, 200))
def test_the_signature_is_on_the_page_of_the_last_section(people, words):
    """Over many lengths the page break falls everywhere; the signature never leaves the
    last section ("Since the last session" when there are no charts)."""
    note = _long_note(people, words)
    pages = pages_text(export.export_note_pdf(people["therapist"], note.id).pdf)
    signed_on = [i for i, text in enumerate(pages) if "Electronically signed by" in text]
    last_section_on = [i for i, text in enumerate(pages) if "Since the last session" in text]
    assert signed_on and last_section_on
    assert signed_on[0] == last_section_on[-1]
    assert re.search(r"Signature\s", pages[signed_on[0]])
