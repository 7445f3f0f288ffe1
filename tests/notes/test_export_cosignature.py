"""The ZIP export of notes carries the supervisor's co-signature beside the author's signature
(as the single-note PDF does), and a cached PDF printed before the co-signature is not reused."""

from __future__ import annotations

import io
import zipfile

from tests.notes.factories import make_note
from tests.notes.test_pdf import pdf_text
from tests.plans.factories import supervise
from therapy_portal import cosigning
from therapy_portal.extensions import db
from therapy_portal.models.notes import NoteExport
from therapy_portal.models.supervision import SignedKind
from therapy_portal.notes import export, jobs
from therapy_portal.supervision import services as supervision


def _zip_text(app, people, note_id: int) -> str:
    job = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    job = db.session.get(NoteExport, job.id)
    assert job.status == "done"
    path = jobs.export_dir(app) / job.file_name
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    return " ".join(pdf_text(archive.read(f"session-note-{note_id}.pdf")).split())


def test_the_zip_shows_both_signatures_once_co_signed(app, people):
    therapist, supervisor = people["therapist"], people["outsider"]
    supervise(therapist, supervisor)
    note = make_note(therapist, people["couple"], signed=True)
    db.session.commit()
    waiting = _zip_text(app, people, note.id)
    assert "Electronically signed by Robin Hale" in waiting
    assert "Awaiting the supervisor's co-signature" in waiting

    export.export_note_pdf(therapist, note.id)  # a cached single PDF, before the co-signature
    db.session.commit()
    row = cosigning.cosignature_for(SignedKind.NOTE, note.id)
    supervision.cosign(supervisor, row, note.signature)
    db.session.commit()
    text = _zip_text(app, people, note.id)
    assert "Electronically signed by Robin Hale" in text
    assert "Co-signed by Other Therapist" in text and "Awaiting" not in text
    assert f"Co-signature (HMAC-SHA256): {row.signature}" in text


def test_an_unsupervised_note_has_no_co_signature_block(app, people):
    note = make_note(people["therapist"], people["couple"], signed=True)
    db.session.commit()
    text = _zip_text(app, people, note.id)
    assert "Co-signed" not in text and "Awaiting" not in text
