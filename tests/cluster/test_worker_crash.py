"""Two app servers and a worker as real processes on PostgreSQL and Redis; the worker is killed.

Log in on server A and use the session on server B; start a ZIP export on A; SIGKILL the worker
(its whole process group, renderer included) in the middle; start a new worker; download a
complete, checksum-verified ZIP from B. No `.part` file and no running job remain, one file exists.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import clock
from tests.cluster.processes import Browser, Cluster
from tests.conftest import TEST_DB
from tests.factories import PASSWORD, make_couple, make_practice, make_user
from tests.notes.factories import make_note
from therapy_portal.extensions import db
from therapy_portal.models import ExportFile, Job, Role
from therapy_portal.models.notes import NoteExport

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(TEST_DB != "postgres", reason="app servers on one PostgreSQL"),
]
# Enough notes that the worker is still rendering when it is killed: with 8, a fast machine
# rendered the six left between the progress poll that saw two and the kill (the test failed
# with the job already done).
NOTES = 24


@pytest.fixture
def seeded(ctx):
    practice = make_practice("Cluster Practice")
    therapist = make_user(practice, Role.THERAPIST, name="Robin Hale")
    couple = make_couple(therapist, name="Lopez & Kim")
    for days in range(NOTES):
        make_note(therapist, couple, signed=True, session_date=clock.today() - timedelta(days))
    db.session.commit()
    return {"email": therapist.email, "secret": therapist.totp_secret, "couple_id": couple.id}


def _wait(predicate, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_an_export_survives_a_killed_worker_across_two_app_servers(app, seeded, tmp_path):
    cluster = Cluster(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    with cluster:
        server_a, server_b = cluster.web(5120), cluster.web(5121)
        worker = cluster.worker()
        browser = Browser()
        assert browser.sign_in(server_a, seeded["email"], PASSWORD, seeded["secret"]).ok
        assert "Lopez &amp; Kim" in browser.get(server_b, "/couples").text  # A's session, on B

        started = browser.post(server_a, f"/couples/{seeded['couple_id']}/notes/export")
        status_path = started.path
        assert status_path.startswith("/notes/exports/")

        def progress():
            return json.loads(browser.get(server_b, status_path + "/progress").text)

        _wait(lambda: progress()["done"] >= 2, 120, "the first worker to write two PDFs", 0.05)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        assert progress()["status"] == "running" and progress()["done"] < NOTES

        cluster.worker()
        _wait(lambda: progress()["status"] == "done", 180, "the new worker to finish the job")
        download = browser.get(server_b, status_path + "/download")

    assert download.ok and download.content_type == "application/zip"
    export_id = int(status_path.rsplit("/", 1)[1])
    db.session.expire_all()
    export = db.session.get(NoteExport, export_id)
    assert hashlib.sha256(download.body).hexdigest() == export.sha256
    archive = zipfile.ZipFile(io.BytesIO(download.body))
    assert archive.testzip() is None
    manifest = archive.read("manifest.txt").decode().splitlines()
    assert len(manifest) == NOTES
    for line in manifest:
        name, checksum = line.split("  sha256=")
        assert hashlib.sha256(archive.read(name)).hexdigest() == checksum
    job = db.session.scalar(select(Job).where(Job.key == f"note_export:{export_id}"))
    assert (job.state, job.attempts) == ("done", 2)
    assert db.session.scalar(select(func.count()).where(Job.state == "running")) == 0
    assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 1
    assert list(Path(cluster.export_dir).glob("*.part")) == []
