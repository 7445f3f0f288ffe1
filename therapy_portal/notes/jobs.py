"""ZIP exports of many notes, built in a background thread with a progress counter.

All or nothing: the ZIP is written to a `.part` file in the export folder and moved into place with
`os.replace` only after every file is in it; on any failure the part file is removed and the job
says why. A job row carries the progress (`done` of `total`) that the status page polls.

The thread runs in the web process (enough for one machine and SQLite); at scale the same `run()`
is what a worker-queue task would call. A job left `running` by a crashed process is reported as
failed after `NOTE_EXPORT_STALE_MINUTES`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
import threading
import zipfile
from datetime import date, timedelta
from pathlib import Path

from flask import Flask, current_app

from therapy_portal import audit
from therapy_portal.errors import DomainError, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.notes import ExportStatus, NoteExport
from therapy_portal.notes import copies, export

log = logging.getLogger(__name__)
GENERIC_FAILURE = "The export failed before it finished, so no file was kept. Please try again."


def export_dir(app: Flask) -> Path:
    configured = app.config.get("NOTE_EXPORT_DIR")
    if configured:
        path = Path(configured)
    elif app.config.get("TESTING"):
        path = Path(tempfile.gettempdir()) / "therapy-portal-test-exports"
    else:
        path = Path(app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _count(actor: User, job: NoteExport) -> int:
    return copies.count(actor, copies.ExportSpec.of(job))


def _start(actor: User, job: NoteExport, *, allow_empty: bool = False) -> NoteExport:
    db.session.add(job)
    total = _count(actor, job)
    if total == 0 and not allow_empty:
        raise ValidationFailed("There are no signed notes to export here yet.")
    job.total = total + (1 if job.kind == "record" else 0)
    db.session.flush()
    audit.record(
        "note.export_start",
        actor=actor,
        object_type="note_export",
        object_id=job.id,
        couple_id=job.couple_id,
        kind=job.kind,
        count=total,
    )
    return job


def start_couple_export(actor: User, couple: Couple) -> NoteExport:
    """Queue a ZIP of every signed note of one couple."""
    return _start(
        actor,
        NoteExport(
            practice_id=actor.practice_id,
            requested_by_id=actor.id,
            kind="couple",
            couple_id=couple.id,
        ),
    )


def start_range_export(actor: User, date_from: date, date_to: date) -> NoteExport:
    """Queue a ZIP of every signed note in a date range, across the therapist's caseload."""
    if date_to < date_from:
        raise ValidationFailed("The end date must be on or after the start date.", field="date_to")
    if date_to - date_from > timedelta(days=3660):
        raise ValidationFailed("Choose a range of ten years or less.", field="date_from")
    return _start(
        actor,
        NoteExport(
            practice_id=actor.practice_id,
            requested_by_id=actor.id,
            kind="range",
            date_from=date_from,
            date_to=date_to,
        ),
    )


def start_record_export(actor: User, couple: Couple, scope: str) -> NoteExport:
    return _start(
        actor,
        NoteExport(
            practice_id=actor.practice_id,
            requested_by_id=actor.id,
            kind="record",
            couple_id=couple.id,
            scope=scope,
        ),
        allow_empty=True,
    )


def launch(job_id: int) -> threading.Thread:
    """Build the ZIP in a background thread (call after the job row is committed).

    Under TESTING the caller waits for the thread unless `NOTE_EXPORT_BACKGROUND` is set, so
    tests see a finished job and no thread outlives its test's database.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=_run_in_app, args=(app, job_id), daemon=True, name=f"note-export-{job_id}"
    )
    thread.start()
    if app.config.get("TESTING") and not app.config.get("NOTE_EXPORT_BACKGROUND"):
        thread.join(timeout=300)
    return thread


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run(job_id)
        except Exception:  # noqa: BLE001 - a background thread must record, never raise
            log.exception("note export %s failed", job_id)
            db.session.rollback()
            _fail(job_id, GENERIC_FAILURE)
        finally:
            db.session.remove()


def _fail(job_id: int, message: str) -> None:
    job = db.session.get(NoteExport, job_id)
    if job is not None and job.status != ExportStatus.DONE:
        job.status = ExportStatus.FAILED
        job.error = message[:300]
        job.finished_at = utcnow()
        db.session.commit()


def run(job_id: int) -> None:
    """Build one job's ZIP. Commits progress after each file; all or nothing."""
    job = db.session.get(NoteExport, job_id)
    if job is None or job.status != ExportStatus.PENDING:
        return
    actor = db.session.get(User, job.requested_by_id)
    job.status = ExportStatus.RUNNING
    db.session.commit()
    folder = export_dir(current_app)
    part = Path(tempfile.mkstemp(dir=folder, prefix=f"export-{job_id}-", suffix=".part")[1])
    try:
        manifest = _write_zip(actor, job, part)
        final = folder / f"export-{job_id}-{secrets.token_hex(8)}.zip"
        os.replace(part, final)
    except DomainError as error:
        db.session.rollback()
        part.unlink(missing_ok=True)
        _fail(job_id, error.message)
        return
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    data = final.read_bytes()
    job.sha256 = hashlib.sha256(data).hexdigest()
    job.size = len(data)
    job.file_name = final.name
    job.status = ExportStatus.DONE
    job.finished_at = utcnow()
    audit.record(
        "note.export_zip",
        actor=actor,
        object_type="note_export",
        object_id=job.id,
        couple_id=job.couple_id,
        kind=job.kind,
        sha256=job.sha256,
        count=manifest,
    )
    db.session.commit()


def _write_zip(actor: User, job: NoteExport, part: Path) -> int:
    spec = copies.ExportSpec.of(job)
    docs = copies.documents(actor, spec)
    # Read everything first: the commits that publish progress expire ORM objects.
    prepared = [copies.prepare(doc, actor) for doc in docs]
    summary_html = (
        export.render_template(
            "pdf/record_summary.html", copies.summary_context(actor, spec, len(docs))
        )
        if job.kind == "record"
        else None
    )
    db.session.commit()
    lines = []
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in prepared:
            pdf, _cached = export.produce(item)
            name = export.note_filename(item.note_id)
            archive.writestr(name, pdf)
            lines.append(f"{name}  sha256={hashlib.sha256(pdf).hexdigest()}")
            job.done += 1
            db.session.commit()  # progress is visible to the status page
        if summary_html is not None:
            summary = export.render(summary_html)
            archive.writestr("record-summary.pdf", summary)
            lines.append(f"record-summary.pdf  sha256={hashlib.sha256(summary).hexdigest()}")
            job.done += 1
            db.session.commit()
        archive.writestr("manifest.txt", "\n".join(lines) + "\n")
    with part.open("rb") as handle:
        os.fsync(handle.fileno())
    return len(prepared)


def progress(job: NoteExport) -> dict:
    """What the status page shows and polls; marks a job abandoned by a crash as failed."""
    stale = current_app.config.get("NOTE_EXPORT_STALE_MINUTES", 30)
    if job.status in (ExportStatus.PENDING, ExportStatus.RUNNING) and (
        utcnow() - job.created_at > timedelta(minutes=stale)
    ):
        job.status = ExportStatus.FAILED
        job.error = GENERIC_FAILURE
        job.finished_at = utcnow()
    percent = (
        100
        if job.status == ExportStatus.DONE
        else (int(100 * job.done / job.total) if job.total else 0)
    )
    return {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "error": job.error,
    }


def download_path(actor: User, job: NoteExport) -> Path:
    """The finished file of a job; audited with its SHA-256."""
    if job.status != ExportStatus.DONE or not job.file_name:
        raise ValidationFailed("This export is not ready yet.")
    path = export_dir(current_app) / job.file_name
    if not path.is_file():
        raise ValidationFailed("This export's file is no longer available. Start a new export.")
    audit.record(
        "note.export_download",
        actor=actor,
        object_type="note_export",
        object_id=job.id,
        couple_id=job.couple_id,
        sha256=job.sha256,
    )
    return path
