"""Export jobs on the queue: leases, a worker that died, give-up, database storage, retention."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests import clock
from tests.conftest import TEST_DB
from tests.factories import login
from tests.notes.factories import make_note
from therapy_portal import storage
from therapy_portal.extensions import db
from therapy_portal.models import ExportChunk, ExportFile, Job, utcnow
from therapy_portal.models.notes import NoteExport
from therapy_portal.notes import jobs, zipbuild
from therapy_portal.tasks import jobs as leases
from therapy_portal.tasks.registry import sweep_jobs


@pytest.fixture
def signed(people):
    therapist, couple = people["therapist"], people["couple"]
    for days in (9, 2):
        make_note(therapist, couple, signed=True, session_date=clock.today() - timedelta(days))
    db.session.commit()


@pytest.fixture
def backend(app, request, monkeypatch):
    """Export storage by name; "s3" is a moto-mocked bucket."""
    app.config["EXPORT_STORAGE"] = request.param
    if request.param != "s3":
        yield request.param
        return
    import boto3
    from moto import mock_aws

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    app.config.update(EXPORT_S3_BUCKET="exports", EXPORT_S3_REGION="us-east-1")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="exports")
        yield request.param


def _objects() -> list[str]:
    import boto3

    listing = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="exports")
    return [item["Key"] for item in listing.get("Contents", [])]


def _queued(people) -> NoteExport:
    export = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    return export


def _job(export_id: int) -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.key == jobs.job_key(export_id)))


def _lapse(export_id: int) -> None:
    db.session.execute(
        update(Job)
        .where(Job.key == jobs.job_key(export_id))
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_a_job_is_claimed_once_and_a_second_delivery_does_nothing(app, people, signed):
    export = _queued(people)
    lease = leases.claim(jobs.job_key(export.id))
    assert lease is not None and lease.attempt == 1
    assert leases.claim(jobs.job_key(export.id)) is None
    zipbuild.run(export.id)  # the same message delivered twice: the running job is left alone
    job = _job(export.id)
    assert (job.state, job.attempts) == ("running", 1)
    assert db.session.get(NoteExport, export.id).status == "pending"


def test_a_job_whose_worker_died_is_requeued_and_finishes_with_one_file(app, people, signed):
    export = _queued(people)
    dead = leases.claim(jobs.job_key(export.id))  # a worker that was SIGKILLed after claiming
    part = storage.part_path(export.id, dead.attempt)
    part.write_bytes(b"half a zip")
    assert sweep_jobs() == 0  # its lease has not lapsed yet: nothing to rescue
    _lapse(export.id)
    assert sweep_jobs() == 1  # requeued, and (immediate queue) run again at once
    job = _job(export.id)
    assert (job.state, job.attempts, job.lease_until) == ("done", 2, None)
    export = db.session.get(NoteExport, export.id)
    assert export.status == "done" and export.done == export.total == 2
    assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 1
    names = sorted(p.name for p in Path(jobs.export_dir(app)).iterdir())
    assert names == [export.file_name] and not part.exists()
    with pytest.raises(leases.LeaseLost):  # the dead worker, were it to wake, cannot publish
        leases.finish(dead)


def test_a_job_that_keeps_dying_is_given_up_and_says_so(app, people, signed):
    export = _queued(people)
    for _ in range(app.config["JOB_MAX_ATTEMPTS"]):
        db.session.execute(
            update(Job).where(Job.key == jobs.job_key(export.id)).values(state="queued")
        )
        db.session.commit()
        assert leases.claim(jobs.job_key(export.id)) is not None
        _lapse(export.id)
    assert sweep_jobs() == 0
    assert _job(export.id).state == "failed"
    export = db.session.get(NoteExport, export.id)
    assert export.status == "failed" and export.error == jobs.GENERIC_FAILURE


def test_a_worker_that_lost_its_lease_stops_without_publishing(app, people, signed, monkeypatch):
    export = _queued(people)
    real = leases.Lease.check
    calls = []

    def taken_over(self):
        calls.append(1)
        if len(calls) == 2:
            self.lost.set()
        real(self)

    monkeypatch.setattr(leases.Lease, "check", taken_over)
    jobs.launch(export.id)
    db.session.expire_all()
    assert db.session.get(NoteExport, export.id).status == "running"
    assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 0
    assert list(Path(jobs.export_dir(app)).iterdir()) == []


@pytest.mark.parametrize("backend", ["database", "local", "s3"], indirect=True)
def test_the_download_streams_the_stored_file_with_its_checksum(
    app, people, signed, client, backend
):
    export = _queued(people)
    jobs.launch(export.id)
    db.session.expire_all()
    export = db.session.get(NoteExport, export.id)
    chunks = db.session.scalar(select(func.count()).select_from(ExportChunk))
    assert chunks == (1 if backend == "database" else 0)
    if backend != "local":
        assert list(Path(jobs.export_dir(app)).iterdir()) == []
    if backend == "s3":
        assert _objects() == [export.file_name]
    login(client, people["therapist"].email)
    body = client.get(f"/notes/exports/{export.id}/download").get_data()
    assert hashlib.sha256(body).hexdigest() == export.sha256 and len(body) == export.size
    assert len(zipfile.ZipFile(io.BytesIO(body)).namelist()) == 3


@pytest.mark.parametrize("backend", ["database", "local", "s3"], indirect=True)
def test_files_expire_are_deleted_and_the_status_page_says_when(
    app, people, signed, client, backend
):
    export = _queued(people)
    jobs.launch(export.id)
    login(client, people["therapist"].email)
    page = client.get(f"/notes/exports/{export.id}").get_data(as_text=True)
    assert "The file is kept until" in page
    db.session.execute(update(ExportFile).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    refused = client.get(f"/notes/exports/{export.id}/download")
    assert refused.status_code == 302  # back to the status page, with the reason flashed
    assert storage.delete_expired() == 1
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert list(Path(jobs.export_dir(app)).iterdir()) == []
    if backend == "s3":
        assert _objects() == []
    page = client.get(f"/notes/exports/{export.id}").get_data(as_text=True)
    assert "deleted when its retention period ended" in page


@pytest.mark.postgres_only
@pytest.mark.skipif(TEST_DB != "postgres", reason="real concurrent claims need PostgreSQL")
def test_two_workers_racing_for_the_same_job_claim_it_once(app, people, signed):
    exports = [_queued(people).id for _ in range(20)]
    for export_id in exports:
        barrier, won = threading.Barrier(2), []

        def race(export_id=export_id, barrier=barrier, won=won):
            with app.app_context():
                barrier.wait()
                won.append(leases.claim(jobs.job_key(export_id)) is not None)
                db.session.remove()

        threads = [threading.Thread(target=race) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(won) == [False, True]
