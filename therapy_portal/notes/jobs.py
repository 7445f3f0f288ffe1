"""ZIP exports of many notes: the job row, its progress, and the finished file's download.

Starting an export writes a `note_export` row and its `job` (key `note_export:<id>`) in the
request's transaction; `launch` puts it on the task queue after the commit, and a worker builds
the ZIP (`therapy_portal.notes.zipbuild`). All or nothing: the file is written to a `.part` file
and handed to storage only when complete, in the transaction that marks the job done. The status
page reads the export row, so any app server shows the same progress; the file lives where
`EXPORT_STORAGE` says, and expires after `EXPORT_RETENTION_DAYS`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from therapy_portal import audit, storage, tasks
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, ExportFile, User, utcnow
from therapy_portal.models.notes import ExportKind, ExportStatus, NoteExport
from therapy_portal.notes import copies
from therapy_portal.tasks import jobs as leases

GENERIC_FAILURE = "The export failed before it finished, so no file was kept. Please try again."
KIND = "note_export"
export_dir = storage.export_dir


def job_key(export_id: int) -> str:
    return f"{KIND}:{export_id}"


def _count(actor: User, job: NoteExport) -> int:
    return copies.count(actor, copies.ExportSpec.of(job))


def _start(actor: User, job: NoteExport, *, allow_empty: bool = False) -> NoteExport:
    db.session.add(job)
    total = _count(actor, job)
    if total == 0 and not allow_empty:
        raise ValidationFailed(gettext("There are no signed notes to export here yet."))
    job.total = total + (1 if job.kind == ExportKind.RECORD else 0)
    db.session.flush()
    leases.create(KIND, job_key(job.id), job.practice_id)
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
            kind=ExportKind.COUPLE,
            couple_id=couple.id,
        ),
    )


def start_range_export(actor: User, date_from: date, date_to: date) -> NoteExport:
    """Queue a ZIP of every signed note in a date range, across the therapist's caseload."""
    if date_to < date_from:
        raise ValidationFailed(
            gettext("The end date must be on or after the start date."), field="date_to"
        )
    if date_to - date_from > timedelta(days=3660):
        raise ValidationFailed(gettext("Choose a range of ten years or less."), field="date_from")
    return _start(
        actor,
        NoteExport(
            practice_id=actor.practice_id,
            requested_by_id=actor.id,
            kind=ExportKind.RANGE,
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
            kind=ExportKind.RECORD,
            couple_id=couple.id,
            scope=scope,
        ),
        allow_empty=True,
    )


def launch(export_id: int) -> None:
    """Queue the build now (call after the export row is committed)."""
    tasks.enqueue(KIND, export_id)


def launch_after_commit(job: NoteExport) -> NoteExport:
    """Queue the build once the request's transaction commits (never if it rolls back)."""
    tasks.after_commit(KIND, job.id)
    return job


def mark_failed(export_id: int, message: str) -> None:
    record = db.session.get(NoteExport, export_id)
    if record is not None and record.status != ExportStatus.DONE:
        record.status = ExportStatus.FAILED
        record.error = message[:300]
        record.finished_at = utcnow()


def give_up(key: str, message: str) -> None:
    mark_failed(int(key.split(":", 1)[1]), GENERIC_FAILURE)


def file_of(job: NoteExport) -> ExportFile | None:
    return db.session.scalar(select(ExportFile).where(ExportFile.note_export_id == job.id))


def progress(job: NoteExport) -> dict:
    """What the status page shows and polls, read from the database (any app server)."""
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


def expires_at(job: NoteExport) -> datetime | None:
    record = file_of(job) if job.status == ExportStatus.DONE else None
    return record.expires_at if record is not None else None


def download(actor: User, job: NoteExport) -> ExportFile:
    """The finished file of a job (stream it with `storage.stream`); audited with its SHA-256."""
    if job.status != ExportStatus.DONE:
        raise ValidationFailed(gettext("This export is not ready yet."))
    record = file_of(job)
    if not storage.available(record):
        raise ValidationFailed(
            gettext("This export's file is no longer available. Start a new export.")
        )
    audit.record(
        "note.export_download",
        actor=actor,
        object_type="note_export",
        object_id=job.id,
        couple_id=job.couple_id,
        sha256=job.sha256,
    )
    return record
