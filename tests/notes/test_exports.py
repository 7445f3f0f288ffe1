"""ZIP exports (progress, all or nothing, audit) and records requests (authorizations first)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import clock
from tests.factories import login
from tests.notes.factories import make_note
from tests.notes.test_pdf import pdf_text
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.notes import NoteExport, PsychotherapyNote
from therapy_portal.notes import copies, export, jobs, records


@pytest.fixture
def two_signed(people):
    therapist, couple = people["therapist"], people["couple"]
    notes = [
        make_note(
            therapist,
            couple,
            signed=True,
            addenda=1,
            session_date=clock.today() - timedelta(days=d),
        )
        for d in (8, 1)
    ]
    make_note(therapist, couple)  # a draft: never exported in a ZIP
    db.session.add(
        PsychotherapyNote(
            practice_id=couple.practice_id,
            couple_id=couple.id,
            author_id=therapist.id,
            session_date=clock.today(),
            body="PRIVATE PROCESS NOTE",
        )
    )
    db.session.commit()
    return notes


def _zip(app, job: NoteExport) -> zipfile.ZipFile:
    path = jobs.export_dir(app) / job.file_name
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


def test_couple_zip_holds_each_signed_note_and_a_manifest_and_is_audited(app, people, two_signed):
    job = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    job = db.session.get(NoteExport, job.id)
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    archive = _zip(app, job)
    names = sorted(archive.namelist())
    assert names == sorted([f"session-note-{n.id}.pdf" for n in two_signed] + ["manifest.txt"])
    for name in names:
        assert "Lopez" not in name and "Kim" not in name
    text = pdf_text(archive.read(f"session-note-{two_signed[0].id}.pdf"))
    assert "Lopez & Kim" in text and "Addendum body 1." in text
    assert "PRIVATE PROCESS NOTE" not in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "note.export_zip"))
    assert event.detail["sha256"] == job.sha256 and event.detail["count"] == 2
    assert jobs.progress(job) == {
        "status": "done",
        "done": 2,
        "total": 2,
        "percent": 100,
        "error": "",
    }


def test_range_zip_spans_the_caseload_within_the_dates(app, people, two_signed):
    job = jobs.start_range_export(
        people["therapist"], clock.today() - timedelta(days=3), clock.today()
    )
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    job = db.session.get(NoteExport, job.id)
    assert _zip(app, job).namelist() == [f"session-note-{two_signed[1].id}.pdf", "manifest.txt"]


def test_range_with_end_before_start_or_nothing_to_export_is_refused(people):
    with pytest.raises(ValidationFailed, match="on or after"):
        jobs.start_range_export(people["therapist"], clock.today(), clock.today() - timedelta(1))
    with pytest.raises(ValidationFailed, match="no signed notes"):
        jobs.start_couple_export(people["therapist"], people["couple"])


def test_a_failure_midway_leaves_no_file_and_a_clear_message(app, people, two_signed, monkeypatch):
    calls = []
    real = export.render

    def flaky(html, assets=None):
        calls.append(1)
        if len(calls) == 2:
            raise export.ExportFailed("The PDF could not be made: Rendering took too long.")
        return real(html, assets)

    monkeypatch.setattr(export, "render", flaky)
    job = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    job = db.session.get(NoteExport, job.id)
    assert job.status == "failed" and "Rendering took too long" in job.error
    assert list(Path(jobs.export_dir(app)).iterdir()) == []
    with pytest.raises(ValidationFailed, match="not ready"):
        jobs.download(people["therapist"], job)


def test_an_unexpected_crash_is_recorded_as_failed_without_a_file(
    app, people, two_signed, monkeypatch
):
    def boom(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "produce", boom)
    job = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    assert db.session.get(NoteExport, job.id).error == jobs.GENERIC_FAILURE
    assert list(Path(jobs.export_dir(app)).iterdir()) == []


def test_zip_over_http_shows_progress_and_downloads_without_names(app, people, two_signed, client):
    login(client, people["therapist"].email)
    response = client.post(f"/couples/{people['couple'].id}/notes/export")
    assert response.status_code == 302
    status_url = response.headers["Location"]
    page = client.get(status_url).get_data(as_text=True)
    assert "<progress" in page and "Ready: 2 files." in page
    assert client.get(status_url + "/progress").get_json()["percent"] == 100
    download = client.get(status_url + "/download")
    assert download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="session-notes-'
    )
    assert "Lopez" not in download.headers["Content-Disposition"]


def test_only_the_requester_sees_an_export(people, two_signed, client):
    job = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    login(client, people["co"].email)
    assert client.get(f"/notes/exports/{job.id}").status_code == 404


def test_full_record_needs_every_partners_authorization(app, people, two_signed):
    therapist, couple = people["therapist"], people["couple"]
    with pytest.raises(InvalidState, match="each partner's authorization"):
        records.start_release(therapist, couple, "full")
    records.record_authorization(therapist, couple, "A", "written", clock.today())
    with pytest.raises(InvalidState):
        records.start_release(therapist, couple, "full")
    records.record_authorization(therapist, couple, "B", "electronic", clock.today())
    job = records.start_release(therapist, couple, "full")
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    archive = _zip(app, db.session.get(NoteExport, job.id))
    assert "record-summary.pdf" in archive.namelist()
    assert len([n for n in archive.namelist() if n.startswith("session-note-")]) == 2
    for name in archive.namelist():
        if name.endswith(".pdf"):
            assert "PRIVATE PROCESS NOTE" not in pdf_text(archive.read(name))


def test_partner_copy_needs_that_partners_authorization_and_only_their_sessions(
    app, people, two_signed
):
    therapist, couple = people["therapist"], people["couple"]
    b_only = make_note(therapist, couple, signed=True, attendees="B")
    with pytest.raises(InvalidState, match="partner A's authorization"):
        records.start_release(therapist, couple, "A")
    records.record_authorization(therapist, couple, "A", "verbal", clock.today())
    job = records.start_release(therapist, couple, "A", copies.fingerprint(therapist, couple, "A"))
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    names = _zip(app, db.session.get(NoteExport, job.id)).namelist()
    assert f"session-note-{b_only.id}.pdf" not in names
    assert f"session-note-{two_signed[0].id}.pdf" in names


def test_record_providers_supply_the_homework_part_of_the_record(app, people, two_signed):
    from therapy_portal.notes import digest as digests

    seen = []

    def homework(couple, partner_label):
        seen.append(partner_label)
        return [digests.DigestSection("Homework", ["Memory letter: submitted by both"])]

    digests.record_provider(homework)
    try:
        therapist, couple = people["therapist"], people["couple"]
        for label in "AB":
            records.record_authorization(therapist, couple, label, "written", clock.today())
        job = records.start_release(therapist, couple, "full")
        db.session.commit()
        jobs.launch(job.id)
    finally:
        digests.unregister(homework)
    db.session.expire_all()
    summary = _zip(app, db.session.get(NoteExport, job.id)).read("record-summary.pdf")
    assert "Memory letter: submitted by both" in pdf_text(summary) and seen == [None]


def test_authorization_bad_input(people):
    therapist, couple = people["therapist"], people["couple"]
    with pytest.raises(ValidationFailed, match="in the future"):
        records.record_authorization(
            therapist, couple, "A", "written", clock.today() + timedelta(days=5)
        )
    with pytest.raises(ValidationFailed, match="partners"):
        records.record_authorization(therapist, couple, "C", "written", clock.today())


def test_psychotherapy_notes_are_author_only(people, client):
    note = records.add_private_note(
        people["therapist"], people["couple"], clock.today(), "Only mine."
    )
    db.session.commit()
    login(client, people["co"].email)
    assert client.get(f"/private-notes/{note.id}").status_code == 404
    page = client.get(f"/couples/{people['couple'].id}/private-notes").get_data(as_text=True)
    assert "Only mine." not in page and "You have no psychotherapy notes" in page


def test_an_export_is_gone_once_the_therapist_no_longer_treats_the_couple(
    people, two_signed, client
):
    from sqlalchemy import delete

    from therapy_portal.models import CoupleTherapist

    job = jobs.start_couple_export(people["co"], people["couple"])
    db.session.commit()
    login(client, people["co"].email)
    assert client.get(f"/notes/exports/{job.id}").status_code == 200
    db.session.execute(
        delete(CoupleTherapist).where(CoupleTherapist.therapist_id == people["co"].id)
    )
    db.session.commit()
    assert client.get(f"/notes/exports/{job.id}").status_code == 404
    assert client.get(f"/notes/exports/{job.id}/download").status_code == 404
