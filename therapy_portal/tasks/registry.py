"""Every task and periodic task of the portal, bound to one app's Huey instance.

Each task runs in a fresh app context with its own database session, removed afterwards.
Periodic tasks (Huey's crontab, minute resolution) replace cron; each is idempotent, so several
workers running them at once send nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask
from huey import Huey, crontab
from huey.exceptions import RetryTask, TaskLockedException

from therapy_portal.extensions import db

OUTBOX_LOCK = "deliver-outbox"


def bind(app: Flask, huey: Huey) -> dict[str, Callable]:
    """Register the tasks on `huey`; returns the enqueue-able ones by name."""

    def in_app(func: Callable) -> Callable:
        @wraps(func)
        def run(*args):
            with app.app_context():
                try:
                    return func(*args)
                finally:
                    db.session.remove()

        return run

    from therapy_portal import storage
    from therapy_portal.notes import zipbuild

    cfg = app.config
    tasks = {
        "note_export": huey.task(name="note_export", priority=0)(in_app(zipbuild.run)),
        # A free worker thread takes waiting email before waiting exports.
        "deliver_outbox": huey.task(name="deliver_outbox", priority=20)(in_app(deliver_outbox)),
    }
    every_minute = crontab(minute="*")
    huey.periodic_task(every_minute, name="outbox_sweep", priority=20)(
        in_app(lambda: deliver_outbox(False))
    )
    huey.periodic_task(every_minute, name="job_sweep")(in_app(sweep_jobs))
    huey.periodic_task(crontab(minute=cfg["REMINDERS_CRON_MINUTE"]), name="send_reminders")(
        in_app(send_reminders)
    )
    huey.periodic_task(crontab(minute="7", hour="*"), name="delete_expired_exports")(
        in_app(storage.delete_expired)
    )
    return tasks


def deliver_outbox(retry_when_busy: bool = True) -> tuple[int, int]:
    """Send everything waiting in the outbox.

    On PostgreSQL deliverers share the work row by row (`FOR UPDATE SKIP LOCKED`). SQLite has no
    row locks, so there one deliverer runs at a time (a queue lock, cleared when a worker
    starts); a message enqueued after a commit that finds it busy retries a second later (the
    deliverer may have looked before that commit); the periodic sweep and `flask send-reminders`
    simply skip. Returns (sent, failed).
    """
    from therapy_portal.tasks import huey_for

    if db.engine.dialect.name != "sqlite":
        return _deliver_all()
    try:
        with huey_for().lock_task(OUTBOX_LOCK):
            return _deliver_all()
    except TaskLockedException:
        if retry_when_busy:
            raise RetryTask(delay=1) from None
        return 0, 0


def _deliver_all() -> tuple[int, int]:
    from therapy_portal import mail

    total_sent = total_failed = 0
    batch = 100
    while True:
        sent, failed = mail.send_pending(limit=batch)
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed < batch:  # nothing more waiting; failures wait for the minute's sweep
            return total_sent, total_failed


def send_reminders() -> int:
    from therapy_portal import reminders

    return reminders.queue_due_reminders()  # committing enqueues the delivery


def sweep_jobs() -> int:
    """Requeue jobs whose worker stopped (also run every few seconds by `flask worker`)."""
    from therapy_portal.tasks import enqueue
    from therapy_portal.tasks import jobs as leases

    again = leases.sweep()
    for kind, key in again:
        enqueue(kind, int(key.split(":", 1)[1]))
    return len(again)
