"""Where finished export files live, chosen by `EXPORT_STORAGE`.

- `local`: a folder on this machine (`NOTE_EXPORT_DIR`, default instance/exports). Enough for one
  machine; a second app server on another host cannot read it.
- `database`: the file in `export_chunk` rows of 1 MiB, written in the same transaction that marks
  the job done, so it appears whole or not at all, and every app server reads it.
- `s3`: an object in an S3-compatible bucket (`EXPORT_S3_BUCKET`, `EXPORT_S3_ENDPOINT_URL` for
  MinIO and the like; credentials from the usual AWS environment), through boto3 (the `s3` extra).
  It is uploaded before the publishing transaction and deleted if that transaction fails; an
  upload orphaned by a worker killed in between is removed by the clean-up a day later.

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
BACKENDS = ("local", "database", "s3")


def backend(app: Flask | None = None) -> str:
    name = (app or current_app).config["EXPORT_STORAGE"]
    if name not in BACKENDS:
        raise ConfigurationError(f"EXPORT_STORAGE {name!r}: use one of {', '.join(BACKENDS)}.")
    if name == "s3" and not (app or current_app).config.get("EXPORT_S3_BUCKET"):
        raise ConfigurationError("EXPORT_STORAGE is s3: set EXPORT_S3_BUCKET.")
    return name


def _bucket():
    """(client, bucket name); one boto3 client per app (clients are thread-safe)."""
    cfg = current_app.config
    client = current_app.extensions.get("export_s3")
    if client is None:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=cfg.get("EXPORT_S3_ENDPOINT_URL") or None,
            region_name=cfg.get("EXPORT_S3_REGION") or None,
        )
        current_app.extensions["export_s3"] = client
    return client, cfg["EXPORT_S3_BUCKET"]


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
    elif name == "s3":
        client, bucket = _bucket()
        key = current_app.config["EXPORT_S3_PREFIX"] + part.name.removesuffix(".part") + ".zip"
        client.upload_file(str(part), bucket, key)  # multipart for large files, from disk
        record.location = key
        part.unlink()
    else:
        final = part.with_name(part.name.removesuffix(".part") + ".zip")
        os.replace(part, final)
        record.location = final.name
    return record


def discard(record: ExportFile | None) -> None:
    """Undo `store` for a transaction that will not commit (the database rows roll back)."""
    if record is None or not record.location:
        return
    if record.storage == "s3":
        client, bucket = _bucket()
        client.delete_object(Bucket=bucket, Key=record.location)
    elif record.storage == "local":
        (export_dir(current_app) / record.location).unlink(missing_ok=True)


def available(record: ExportFile | None) -> bool:
    if record is None or record.expires_at <= utcnow():
        return False
    if record.storage == "local":
        return (export_dir(current_app) / record.location).is_file()
    if record.storage == "s3":
        from botocore.exceptions import ClientError

        client, bucket = _bucket()
        try:
            client.head_object(Bucket=bucket, Key=record.location)
        except ClientError:
            return False
    return True


def stream(record: ExportFile) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (never the whole file in memory).

    What the chunks need is read from the row now: the request boundary commits (and so expires
    the row) before the response streams.
    """
    return _chunks(record.storage, record.location, record.id)


def _chunks(storage: str, location: str, file_id: int) -> Iterator[bytes]:
    if storage == "local":
        with (export_dir(current_app) / location).open("rb") as handle:
            yield from iter(lambda: handle.read(CHUNK), b"")
        return
    if storage == "s3":
        client, bucket = _bucket()
        body = client.get_object(Bucket=bucket, Key=location)["Body"]
        yield from body.iter_chunks(CHUNK)
        return
    seqs = db.session.scalars(
        select(ExportChunk.seq).where(ExportChunk.file_id == file_id).order_by(ExportChunk.seq)
    ).all()
    for seq in seqs:
        yield db.session.scalar(
            select(ExportChunk.data).where(ExportChunk.file_id == file_id, ExportChunk.seq == seq)
        )


def delete_expired() -> int:
    """Delete files past their expiry, and stray parts older than a day (committed)."""
    expired = db.session.scalars(select(ExportFile).where(ExportFile.expires_at <= utcnow())).all()
    for record in expired:
        discard(record)
        db.session.execute(delete(ExportChunk).where(ExportChunk.file_id == record.id))
        db.session.delete(record)
    db.session.commit()
    kept = set(db.session.scalars(select(ExportFile.location).where(ExportFile.location != "")))
    _delete_strays(export_dir(current_app), kept)
    if backend() == "s3":
        _delete_stray_objects(kept)
    return len(expired)


def _delete_strays(folder: Path, kept: set[str]) -> None:
    """Parts left by a killed worker, and files no row points at (killed before its commit)."""
    cutoff = time.time() - 86400
    for path in folder.glob("export-*"):
        if path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _delete_stray_objects(kept: set[str]) -> None:
    """Uploads whose publishing transaction never committed (a worker killed in between)."""
    client, bucket = _bucket()
    cutoff = utcnow() - timedelta(days=1)
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=current_app.config["EXPORT_S3_PREFIX"]
    )
    for page in pages:
        for item in page.get("Contents", []):
            if item["Key"] not in kept and item["LastModified"] < cutoff:
                client.delete_object(Bucket=bucket, Key=item["Key"])
