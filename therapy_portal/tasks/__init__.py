"""The task queue: Huey, with its storage chosen by `TASK_QUEUE_URL`.

`sqlite:///…` (the embedded default, a file under instance/), `redis://…` or `postgresql://…`
for any number of workers on any number of hosts, `memory://` with `TASK_QUEUE_IMMEDIATE` for
tests (a task runs when it is enqueued). Each app gets its own Huey instance with the tasks of
`therapy_portal.tasks.registry` bound to it (named by `therapy_portal.areas`, so this package never
imports the areas whose work it runs); `flask worker` consumes it.

Work is enqueued after the transaction that asked for it commits (`after_commit`), so a worker
never looks for a row that is not there yet, and a rolled-back request enqueues nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, PostgresHuey, PriorityRedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from therapy_portal.settings import ConfigurationError

log = logging.getLogger(__name__)
_PENDING = "tasks_after_commit"


def build_huey(url: str, *, name: str, instance_path: str, immediate: bool = False) -> Huey:
    """A Huey instance for a queue URL (results are not stored: jobs report through the DB)."""
    options = {"results": False, "utc": True, "immediate": immediate}
    scheme = urlsplit(url).scheme.split("+")[0]
    if immediate or scheme == "memory":
        return MemoryHuey(name, **options)
    if scheme == "sqlite":
        filename = url.format(instance=instance_path).removeprefix("sqlite:///")
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=filename, **options)
    if scheme in ("redis", "rediss", "unix"):
        return PriorityRedisHuey(name, url=url, **options)  # email before the next export
    if scheme in ("postgresql", "postgres"):
        dsn = "postgresql://" + url.split("://", 1)[1]
        return PostgresHuey(name, dsn=dsn, **options)
    raise ConfigurationError(
        f"TASK_QUEUE_URL {url!r}: use sqlite:///…, redis://…, postgresql://… or memory://."
    )


class TaskQueue:
    """One app's queue, built on first use (SQLite and PostgreSQL storage create their tables
    when built, and the app factory touches no storage)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._huey: Huey | None = None
        self._tasks: dict = {}
        self._lock = threading.Lock()
        self.bind: Callable[[Flask, Huey], dict] | None = None  # set by `bind_tasks`

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                cfg = self.app.config
                huey = build_huey(
                    cfg["TASK_QUEUE_URL"],
                    name=cfg["TASK_QUEUE_NAME"],
                    instance_path=self.app.instance_path,
                    immediate=cfg.get("TASK_QUEUE_IMMEDIATE", False),
                )
                if self.bind is None:
                    raise RuntimeError("No tasks bound: the app factory calls areas.connect(app).")
                self._tasks = self.bind(self.app, huey)
                self._huey = huey
            return self._huey

    def task(self, name: str):
        self.huey  # noqa: B018 - builds the queue and binds the tasks on first use
        return self._tasks[name]


def init_app(app: Flask) -> None:
    app.extensions["task_queue"] = TaskQueue(app)
    for name, listener in (("after_commit", _enqueue_pending), ("after_rollback", _drop_pending)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def bind_tasks(app: Flask, bind: Callable[[Flask, Huey], dict]) -> None:
    """Say which tasks this app's queue runs (`therapy_portal.areas` passes `registry.bind`)."""
    app.extensions["task_queue"].bind = bind


def huey_for(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions["task_queue"].huey


def enqueue(name: str, *args) -> None:
    """Put a task on the queue now (call it after the commit its task depends on)."""
    current_app.extensions["task_queue"].task(name)(*args)


def after_commit(name: str, *args) -> None:
    """Enqueue a task once the current database transaction commits (never if it rolls back)."""
    from therapy_portal.extensions import db

    pending = db.session.info.setdefault(_PENDING, {})
    pending[(name, args)] = current_app._get_current_object()  # type: ignore[attr-defined]


def _enqueue_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for (name, args), app in (pending or {}).items():
        try:
            app.extensions["task_queue"].task(name)(*args)
        except Exception:  # noqa: BLE001 - the periodic sweep picks the work up later
            log.exception("could not enqueue %s; the periodic task will pick it up", name)


def _drop_pending(session: Session) -> None:
    """The database transaction rolled back (savepoint rollbacks do not fire this)."""
    session.info.pop(_PENDING, None)
