"""`flask worker`: the Huey consumer, with the job sweep every few seconds.

Run one per host (or more); each runs the periodic tasks unless started with `--no-periodic`
(they are idempotent, so running them on several hosts is safe, only wasteful). SIGINT stops
gracefully (running tasks finish), SIGTERM at once (their leases lapse and they run again).
"""

from __future__ import annotations

import logging
import threading

import click
from flask import Flask
from huey.constants import WORKER_PROCESS, WORKER_THREAD

from therapy_portal.extensions import db

log = logging.getLogger(__name__)


def _sweep_forever(app: Flask, every_s: float, stop: threading.Event) -> None:
    """Rescue jobs whose worker died, within seconds rather than at the next minute."""
    from therapy_portal.tasks.registry import sweep_jobs

    while not stop.wait(every_s):
        with app.app_context():
            try:
                sweep_jobs()
            except Exception:  # noqa: BLE001 - the sweep must outlive a database hiccup
                db.session.rollback()
                log.exception("job sweep failed; trying again")
            finally:
                db.session.remove()


def run(
    app: Flask, workers: int | None, worker_type: str, periodic: bool, quiet: bool = False
) -> None:
    """Consume the queue until SIGINT or SIGTERM, sweeping for abandoned jobs meanwhile.

    `quiet` (under `make run`) logs warnings only and says nothing at start.
    """
    from therapy_portal.tasks import huey_for
    from therapy_portal.tasks.registry import OUTBOX_LOCK

    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    huey = huey_for(app)
    if worker_type == WORKER_PROCESS:

        @huey.on_startup()
        def fresh_connections() -> None:
            with app.app_context():
                db.engine.dispose(close=False)  # never share the parent's connections

    stop = threading.Event()
    sweeper = threading.Thread(
        target=_sweep_forever,
        args=(app, app.config["JOB_SWEEP_SECONDS"], stop),
        daemon=True,
        name="job-sweep",
    )
    sweeper.start()
    consumer = huey.create_consumer(
        workers=workers or app.config["TASK_WORKERS"],
        worker_type=worker_type,
        periodic=periodic,
        check_worker_health=True,
        # An idle consumer polls SQLite at most this far apart (Redis and PostgreSQL wake it).
        max_delay=app.config["TASK_POLL_MAX_SECONDS"],
        extra_locks=OUTBOX_LOCK,  # a lock left by a killed worker is cleared at start
    )
    if not quiet:
        click.echo(
            f"Worker consuming {app.config['TASK_QUEUE_URL'].split('@')[-1]} "
            f"(links use {app.config['PUBLIC_BASE_URL']})."
        )
    try:
        consumer.run()
    finally:
        stop.set()


def register_commands(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option(
        "--workers",
        "-w",
        type=click.IntRange(1, 64),
        default=None,
        help="Tasks run at once (default: TASK_WORKERS).",
    )
    @click.option(
        "--worker-type",
        "-k",
        type=click.Choice([WORKER_THREAD, WORKER_PROCESS]),
        default=WORKER_THREAD,
        show_default=True,
        help="Threads share one process; processes use several cores.",
    )
    @click.option(
        "--periodic/--no-periodic",
        default=True,
        show_default=True,
        help="Also run the periodic tasks (reminders, outbox sweep, export clean-up).",
    )
    @click.option("--quiet", is_flag=True, help="Log warnings only; say nothing at start.")
    def worker(workers: int | None, worker_type: str, periodic: bool, quiet: bool) -> None:
        """Run the task-queue consumer: exports, email delivery and periodic tasks."""
        run(app, workers, worker_type, periodic, quiet)
