"""Building one export's ZIP in a queue worker: leased, streamed to disk, all or nothing.

`run(export_id)` is the `note_export` task. It claims the export's job (a second delivery of the
same message finds it running and returns), writes the ZIP to a `.part` file on the worker's disk
one PDF at a time, and publishes it (storage, job `done`, export `done`, audit) in one
transaction that succeeds only while this worker still holds the lease. A worker killed midway
leaves its lease to lapse; the sweep requeues the job and the next attempt starts afresh.
"""

from __future__ import annotations

import hashlib
import logging
import time
import zipfile
from pathlib import Path

from sqlalchemy import select, update

from therapy_portal import audit, storage
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.models import User, utcnow
from therapy_portal.models.notes import ExportKind, ExportStatus, NoteExport, NotePdfCache
from therapy_portal.notes import copies, export, jobs
from therapy_portal.tasks import jobs as leases

log = logging.getLogger(__name__)
# Progress is published at most this often (and after the last file).
PROGRESS_EVERY_S = 0.5
# Cached PDFs are read this many at a time, as they are written into the ZIP.
BATCH = 16


def run(export_id: int) -> None:
    """The `note_export` task: build, store and publish one export (idempotent)."""
    lease = leases.claim(jobs.job_key(export_id))
    if lease is None:
        return
    beat = leases.heartbeat(lease)
    part: Path | None = None
    try:
        record = db.session.get(NoteExport, export_id)
        record.status, record.done, record.error = ExportStatus.RUNNING, 0, ""
        db.session.commit()
        part = storage.part_path(export_id, lease.attempt)
        _build_and_publish(lease, export_id, part)
    except leases.LeaseLost:
        db.session.rollback()
        log.warning("export %s was taken over by another worker; this attempt stops", export_id)
    except DomainError as error:
        db.session.rollback()
        _fail(lease, export_id, error.message)
    except Exception:
        log.exception("note export %s failed", export_id)
        db.session.rollback()
        _fail(lease, export_id, jobs.GENERIC_FAILURE)
    finally:
        lease.stop()
        beat.join(timeout=5)
        if part is not None:
            part.unlink(missing_ok=True)


def _build_and_publish(lease: leases.Lease, export_id: int, part: Path) -> None:
    record = db.session.get(NoteExport, export_id)
    actor = db.session.get(User, record.requested_by_id)
    count = _write_zip(actor, record, part, lease)
    digest, size = _sha256(part)
    record = db.session.get(NoteExport, export_id)
    stored = storage.store(record, part, sha256=digest, size=size)
    try:
        leases.finish(lease)
        record.sha256, record.size, record.file_name = digest, size, stored.location
        record.status, record.finished_at = ExportStatus.DONE, utcnow()
        audit.record(
            "note.export_zip",
            actor=db.session.get(User, record.requested_by_id),
            object_type="note_export",
            object_id=record.id,
            couple_id=record.couple_id,
            kind=record.kind,
            sha256=digest,
            count=count,
        )
        db.session.commit()
    except BaseException:
        storage.discard(stored)
        raise


def _fail(lease: leases.Lease, export_id: int, message: str) -> None:
    try:
        leases.finish(lease, state="failed", error=message)
    except leases.LeaseLost:
        db.session.rollback()
        return
    jobs.mark_failed(export_id, message)
    db.session.commit()


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(storage.CHUNK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _prepare(actor: User, job: NoteExport) -> tuple[list[export.PreparedPdf], str | None]:
    """Every note's PDF plan under the export's copy rule (`copies`), cache hits found at once."""
    spec = copies.ExportSpec.of(job)
    docs = copies.documents(actor, spec)
    hits = _cached_keys(
        [export.cache_key_with(d.note, d.integrity, d.charts, d.rule, d.cosignature) for d in docs]
    )
    prepared = [copies.prepare(doc, actor, cached_keys=hits) for doc in docs]
    summary = (
        export.render_template(
            "pdf/record_summary.html", copies.summary_context(actor, spec, len(docs))
        )
        if job.kind == ExportKind.RECORD
        else None
    )
    return prepared, summary


def _cached_keys(keys: list[str | None]) -> set[str]:
    """Which keys the PDF cache holds, a few queries for any number of notes."""
    wanted = [key for key in keys if key]
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            db.session.scalars(
                select(NotePdfCache.cache_key).where(NotePdfCache.cache_key.in_(chunk))
            )
        )
    return found


def _cached_pdfs(batch: list[export.PreparedPdf]) -> dict[str, bytes]:
    """The cached PDFs of one batch of notes (a batch at a time: never all of them in memory)."""
    keys = [item.cache_key for item in batch if item.in_cache]
    if not keys:
        return {}
    rows = db.session.execute(
        select(NotePdfCache.cache_key, NotePdfCache.pdf).where(NotePdfCache.cache_key.in_(keys))
    )
    return {key: pdf for key, pdf in rows}


def _write_zip(actor: User, job: NoteExport, part: Path, lease: leases.Lease) -> int:
    """Stream the ZIP to `part`; returns the number of notes in it."""
    prepared, summary_html = _prepare(actor, job)
    export_id = job.id
    # Everything is plain data now: empty the identity map, so each progress commit is cheap
    # (a commit expires every object the session holds; 200 notes made that 80 % of the time).
    db.session.commit()
    db.session.expunge_all()
    lines: list[str] = []
    progress = _Progress(export_id, last=len(prepared) + (summary_html is not None))
    # PDFs are compressed already: storing them costs no space and saves the deflate time.
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(prepared), BATCH):
            batch = prepared[start : start + BATCH]
            cached = _cached_pdfs(batch)
            for item in batch:
                lease.check()
                pdf = cached.get(item.cache_key or "") or export.produce(item)[0]
                name = export.note_filename(item.note_id)
                archive.writestr(name, pdf)
                lines.append(f"{name}  sha256={hashlib.sha256(pdf).hexdigest()}")
                progress.advance(wrote=not item.in_cache)
        if summary_html is not None:
            summary = export.render(summary_html)
            archive.writestr("record-summary.pdf", summary)
            lines.append(f"record-summary.pdf  sha256={hashlib.sha256(summary).hexdigest()}")
            progress.advance(wrote=False)
        archive.writestr("manifest.txt", "\n".join(lines) + "\n", zipfile.ZIP_DEFLATED)
    lease.check()
    return len(prepared)


class _Progress:
    """Publishes `done` to the export row at most every PROGRESS_EVERY_S (and at the end)."""

    def __init__(self, export_id: int, last: int) -> None:
        self.export_id, self.last, self.done, self.published_at = export_id, last, 0, 0.0

    def advance(self, *, wrote: bool) -> None:
        """One more file; `wrote` says a cache row was flushed (commit it: SQLite's write lock)."""
        self.done += 1
        now = time.monotonic()
        if self.done == self.last or now - self.published_at >= PROGRESS_EVERY_S:
            db.session.execute(
                update(NoteExport)
                .where(NoteExport.id == self.export_id)
                .values(done=self.done)
                .execution_options(synchronize_session=False)
            )
            self.published_at = now
        elif not wrote:
            return
        db.session.commit()  # cheap: the session holds no objects
