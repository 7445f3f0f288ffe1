"""Where finished export files live, chosen by `EXPORT_STORAGE`.

- `local`: a folder on this machine (`NOTE_EXPORT_DIR`, default instance/exports). Enough for one
  machine; a second app server on another host cannot read it.
- `database`: the file in `export_chunk` rows of 1 MiB, written in the same transaction that marks
  the job done, so it appears whole or not at all, and every app server reads it.

A file is built on the worker's disk first (`part_path`) and handed over only when complete.
Files expire after `EXPORT_RETENTION_DAYS`; `delete_expired()` (a periodic task) removes them.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, select

from therapy_portal.extensions import db
from therapy_portal.models import ExportChunk, ExportFile, utcnow
from therapy_portal.settings import ConfigurationError

CHUNK = 1024 * 1024
BACKENDS = ("local", "database")


def backend(app: Flask | None = None) -> str:
    name = (app or current_app).config["EXPORT_STORAGE"]
    if name not in BACKENDS:
        raise ConfigurationError(f"EXPORT_STORAGE {name!r}: use one of {', '.join(BACKENDS)}.")
    return name


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


def part_path(export_id: int, attempt: int) -> Path:
    """This attempt's file under construction; earlier attempts' parts on this host go first."""
    folder = export_dir(current_app)
    for stale in folder.glob(f"export-{export_id}-*.part"):
        stale.unlink(missing_ok=True)
    return folder / f"export-{export_id}-{attempt}.part"


def store(note_export, part: Path, *, sha256: str, size: int) -> ExportFile:
    """Hand a complete file over to storage, in the current transaction (commit publishes it)."""
    name = backend()
    days = current_app.config["EXPORT_RETENTION_DAYS"]
    record = ExportFile(
        practice_id=note_export.practice_id,
        note_export_id=note_export.id,
        storage=name,
        size=size,
        sha256=sha256,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(record)
    db.session.flush()
    if name == "database":
        with part.open("rb") as handle:
            for seq, data in enumerate(iter(lambda: handle.read(CHUNK), b"")):
                # Core inserts: the chunks never collect in the session's identity map.
                db.session.execute(
                    ExportChunk.__table__.insert().values(file_id=record.id, seq=seq, data=data)
                )
        part.unlink()
    else:
        final = part.with_name(part.name.removesuffix(".part") + ".zip")
        os.replace(part, final)
        record.location = final.name
    return record


def discard(record: ExportFile | None) -> None:
    """Undo `store` for a transaction that will not commit (the database rows roll back)."""
    if record is not None and record.storage == "local" and record.location:
        (export_dir(current_app) / record.location).unlink(missing_ok=True)


def available(record: ExportFile | None) -> bool:
    if record is None or record.expires_at <= utcnow():
        return False
    if record.storage == "local":
        return (export_dir(current_app) / record.location).is_file()
    return True


def stream(record: ExportFile) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (never the whole file in memory)."""
    if record.storage == "local":
        with (export_dir(current_app) / record.location).open("rb") as handle:
            yield from iter(lambda: handle.read(CHUNK), b"")
        return
    seqs = db.session.scalars(
        select(ExportChunk.seq).where(ExportChunk.file_id == record.id).order_by(ExportChunk.seq)
    ).all()
    for seq in seqs:
        yield db.session.scalar(
            select(ExportChunk.data).where(ExportChunk.file_id == record.id, ExportChunk.seq == seq)
        )


def delete_expired() -> int:
    """Delete files past their expiry, and stray parts older than a day (committed)."""
    expired = db.session.scalars(select(ExportFile).where(ExportFile.expires_at <= utcnow())).all()
    for record in expired:
        discard(record)
        db.session.execute(delete(ExportChunk).where(ExportChunk.file_id == record.id))
        db.session.delete(record)
    db.session.commit()
    if backend() == "local":
        _delete_strays(export_dir(current_app))
    return len(expired)


def _delete_strays(folder: Path) -> None:
    """Parts left by a killed worker, and files no row points at (killed before its commit)."""
    kept = set(db.session.scalars(select(ExportFile.location).where(ExportFile.location != "")))
    cutoff = time.time() - 86400
    for path in folder.glob("export-*"):
        if path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
