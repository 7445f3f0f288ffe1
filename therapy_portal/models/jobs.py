"""Background jobs run by the task queue, and the export files they produce.

The queue (Huey) only carries a job's key; what a job is, who owns it and how far it got lives
here, in the application database, so every app server reads the same progress and a job whose
worker died is found by its lapsed lease and run again.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from therapy_portal.models.base import Base, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """One unit of background work, keyed so that starting it twice is one job.

    A worker claims a queued job by moving it to `running` with a lease (`lease_until`) that a
    heartbeat keeps extending; a sweeper returns a running job whose lease lapsed to `queued`
    (or to `failed` after `max_attempts`), so no job stays running after its worker is gone.
    """

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        # The sweeper's question: which unfinished jobs have a lapsed lease?
        Index("ix_job_state_lease", "state", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What the job is about, e.g. "note_export:42": unique, so a job is created once.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    state: Mapped[str] = mapped_column(String(8), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    # The worker thread holding the lease (host:pid:thread:nonce); no PHI.
    worker: Mapped[str] = mapped_column(String(120), default="")
    heartbeat_at: Mapped[datetime | None]
    # A queued job's lease is its dispatch deadline: a job never picked up is enqueued again.
    lease_until: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class ExportFile(Base):
    """A finished export: where its bytes are (local folder, database chunks or a bucket)."""

    __tablename__ = "export_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    # One file per export, ever: a second worker finishing the same job cannot add another.
    note_export_id: Mapped[int] = mapped_column(ForeignKey("note_export.id"), unique=True)
    storage: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The retention task deletes files past this time (index: it asks for exactly that).
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ExportChunk(Base):
    """A slice of an export file kept in the database (`EXPORT_STORAGE = "database"`)."""

    __tablename__ = "export_chunk"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("export_file.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
