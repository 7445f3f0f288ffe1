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

from sqlalchemy import update
from sqlalchemy.orm import selectinload

from therapy_portal import audit, storage
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.measures import note_charts
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.notes import ExportStatus, NoteExport, SessionNote
from therapy_portal.notes import digest as digests
from therapy_portal.notes import export, jobs, services
from therapy_portal.tasks import jobs as leases

log = logging.getLogger(__name__)
# Progress is published at most this often (and after the last file).
PROGRESS_EVERY_S = 0.5


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
    notes = db.session.scalars(
        jobs.selection(actor, job)
        .options(
            selectinload(SessionNote.couple).selectinload(Couple.members),
            selectinload(SessionNote.addenda),
        )
        .order_by(SessionNote.session_date, SessionNote.id)
    ).all()
    # A partner's copy of the record charts that partner's answers alone.
    partner_label = job.scope if job.kind == "record" and job.scope in ("A", "B") else None
    histories = _measure_histories(actor, notes)
    prepared = [
        export.prepare(
            n,
            services.check_integrity(actor, n),
            actor.practice,
            charts=note_charts.charts_for_note(
                histories[n.couple_id], n.session_date, partner_label=partner_label
            ),
            withhold_digest=partner_label is not None,
            load_cached=False,
        )
        for n in notes
    ]
    summary = _record_summary_html(actor, job, len(notes)) if job.kind == "record" else None
    return prepared, summary


def _write_zip(actor: User, job: NoteExport, part: Path, lease: leases.Lease) -> int:
    """Stream the ZIP to `part`; returns the number of notes in it."""
    prepared, summary_html = _prepare(actor, job)
    export_id = job.id
    # Everything is plain data now: empty the identity map, so each progress commit is cheap
    # (a commit expires every object the session holds; 200 notes made that 80 % of the time).
    db.session.commit()
    db.session.expunge_all()
    lines: list[str] = []
    progress = _Progress(export_id)
    # PDFs are compressed already: storing them costs no space and saves the deflate time.
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in prepared:
            lease.check()
            pdf = export.produce(item)[0]  # a cached PDF is read only now, one at a time
            name = export.note_filename(item.note_id)
            archive.writestr(name, pdf)
            lines.append(f"{name}  sha256={hashlib.sha256(pdf).hexdigest()}")
            progress.advance(last=summary_html is None and len(lines) == len(prepared))
        if summary_html is not None:
            summary = export.render(summary_html)
            archive.writestr("record-summary.pdf", summary)
            lines.append(f"record-summary.pdf  sha256={hashlib.sha256(summary).hexdigest()}")
            progress.advance(last=True)
        archive.writestr("manifest.txt", "\n".join(lines) + "\n", zipfile.ZIP_DEFLATED)
    lease.check()
    return len(prepared)


class _Progress:
    """Publishes `done` to the export row at most every PROGRESS_EVERY_S (and at the end)."""

    def __init__(self, export_id: int) -> None:
        self.export_id, self.done, self.published_at = export_id, 0, 0.0

    def advance(self, *, last: bool) -> None:
        self.done += 1
        now = time.monotonic()
        if last or now - self.published_at >= PROGRESS_EVERY_S:
            db.session.execute(
                update(NoteExport)
                .where(NoteExport.id == self.export_id)
                .values(done=self.done)
                .execution_options(synchronize_session=False)
            )
            self.published_at = now
        db.session.commit()  # publishes progress and any fresh cache row; cheap with no objects


def _measure_histories(actor: User, notes) -> dict[int, note_charts.MeasureHistory | None]:
    """Each couple's measures up to its latest note, loaded once per couple (not per note)."""
    latest: dict[int, SessionNote] = {}
    for note in notes:  # ordered by session date: the last one per couple wins
        latest[note.couple_id] = note
    return {
        couple_id: note_charts.load_history(
            actor, note.couple, note.session_date, actor.practice.timezone
        )
        for couple_id, note in latest.items()
    }


def _record_summary_html(actor: User, job: NoteExport, note_count: int) -> str:
    couple = db.session.get(Couple, job.couple_id)
    partner_label = job.scope if job.scope in ("A", "B") else None
    sections = digests.collect_record(couple, partner_label)
    context = {
        "practice": {
            "name": actor.practice.name,
            "address": actor.practice.address,
            "phone": actor.practice.phone,
        },
        "couple_name": couple.display_name,
        "scope": (
            "the full record, authorized by each partner"
            if partner_label is None
            else f"partner {partner_label}'s copy: what partner {partner_label} may see"
        ),
        "note_count": note_count,
        "sections": [{"title": s.title, "lines": list(s.lines)} for s in sections],
        "confidential": export.CONFIDENTIAL,
    }
    return export.render_template("pdf/record_summary.html", context)
