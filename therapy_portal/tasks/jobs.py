"""Leases on `job` rows: claim, heartbeat, finish, and the sweep that rescues abandoned jobs.

The queue delivers a job's key at least once (a worker killed mid-task loses the message, so the
sweep sends it again; a duplicate message is harmless). Exactly one worker runs a job at a time:
claiming is one conditional UPDATE (`queued` → `running`), and finishing is another (`running`
and still ours → `done`) in the same transaction as the job's result, so a worker that lost its
lease can never publish. A heartbeat thread extends the lease while the job runs; when a worker
dies, its lease lapses and the sweep puts the job back in the queue (or fails it for good after
`max_attempts`, through the kind's give-up hook).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from therapy_portal.extensions import db
from therapy_portal.models import Job, JobState, utcnow

log = logging.getLogger(__name__)
_GIVE_UP: dict[str, Callable[[str, str], None]] = {}
ABANDONED = "The worker running this job stopped too many times, so it was given up."


class LeaseLost(RuntimeError):
    """Another worker took the job over (this one was presumed dead); stop without publishing."""


def on_give_up(kind: str) -> Callable[[Callable[[str, str], None]], Callable[[str, str], None]]:
    """Register what marks a job's subject failed when the sweep gives up on it."""

    def register(func: Callable[[str, str], None]) -> Callable[[str, str], None]:
        _GIVE_UP[kind] = func
        return func

    return register


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


def create(kind: str, key: str, practice_id: int | None) -> Job:
    """A queued job in the current transaction; enqueue it after the commit."""
    job = Job(
        kind=kind,
        key=key,
        practice_id=practice_id,
        max_attempts=current_app.config["JOB_MAX_ATTEMPTS"],
        lease_until=utcnow() + _seconds("JOB_LEASE_SECONDS"),
    )
    db.session.add(job)
    db.session.flush()
    return job


@dataclass
class Lease:
    key: str
    worker: str
    attempt: int
    lost: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        if self.lost.is_set():
            raise LeaseLost(self.key)

    def keep_alive(self, engine: Engine, lease_s: float, every_s: float) -> threading.Thread:
        thread = threading.Thread(
            target=self._beat, args=(engine, lease_s, every_s), daemon=True, name="job-heartbeat"
        )
        thread.start()
        return thread

    def _beat(self, engine: Engine, lease_s: float, every_s: float) -> None:
        while not self._stop.wait(every_s):
            now = utcnow()
            try:
                with engine.begin() as conn:
                    result = conn.execute(
                        update(Job.__table__)
                        .where(
                            Job.key == self.key,
                            Job.worker == self.worker,
                            Job.state == JobState.RUNNING,
                        )
                        .values(heartbeat_at=now, lease_until=now + timedelta(seconds=lease_s))
                    )
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
                log.warning("job heartbeat failed for %s", self.key, exc_info=True)
                continue
            if result.rowcount != 1:
                self.lost.set()
                return

    def stop(self) -> None:
        self._stop.set()


def claim(key: str) -> Lease | None:
    """Take a queued job (committed); None when it is running elsewhere, finished or gone."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{secrets.token_hex(3)}"
    now = utcnow()
    result = db.session.execute(
        update(Job)
        .where(Job.key == key, Job.state == JobState.QUEUED, Job.attempts < Job.max_attempts)
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            worker=worker[:120],
            heartbeat_at=now,
            lease_until=now + _seconds("JOB_LEASE_SECONDS"),
            started_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    attempt = db.session.scalar(select(Job.attempts).where(Job.key == key))
    db.session.commit()
    if result.rowcount != 1:
        return None
    return Lease(key, worker[:120], attempt or 1)


def heartbeat(lease: Lease) -> threading.Thread:
    cfg = current_app.config
    return lease.keep_alive(db.engine, cfg["JOB_LEASE_SECONDS"], cfg["JOB_HEARTBEAT_SECONDS"])


def finish(lease: Lease, state: str = JobState.DONE, error: str = "") -> None:
    """Mark the job finished in the current transaction; `LeaseLost` if it is no longer ours."""
    result = db.session.execute(
        update(Job)
        .where(Job.key == lease.key, Job.worker == lease.worker, Job.state == JobState.RUNNING)
        .values(state=state, error=error[:300], finished_at=utcnow(), lease_until=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise LeaseLost(lease.key)


def sweep() -> list[tuple[str, str]]:
    """Requeue unfinished jobs whose lease lapsed (committed); returns (kind, key) to enqueue."""
    now = utcnow()
    lapsed = db.session.execute(
        select(Job.id, Job.kind, Job.key, Job.state, Job.attempts, Job.max_attempts).where(
            Job.state.in_((JobState.QUEUED, JobState.RUNNING)), Job.lease_until < now
        )
    ).all()
    again = []
    for row in lapsed:
        give_up = row.state == JobState.RUNNING and row.attempts >= row.max_attempts
        changed = db.session.execute(
            update(Job)
            .where(Job.id == row.id, Job.state == row.state, Job.lease_until < now)
            .values(
                state=JobState.FAILED if give_up else JobState.QUEUED,
                worker="",
                error=ABANDONED if give_up else "",
                finished_at=now if give_up else None,
                lease_until=None if give_up else now + _seconds("JOB_LEASE_SECONDS"),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed and give_up and row.kind in _GIVE_UP:
            _GIVE_UP[row.kind](row.key, ABANDONED)
        elif changed and not give_up:
            again.append((row.kind, row.key))
        db.session.commit()
    if again:
        log.warning("requeued %d job(s) whose worker stopped: %s", len(again), again)
    return again
