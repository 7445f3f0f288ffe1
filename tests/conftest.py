"""Fixtures shared by every test: an app on a fresh database, clients, logins, query counting.

`TEST_DB=postgres` (set by `make test` when TEST_DATABASE_URL is given) runs the same tests on
PostgreSQL: each xdist worker gets its own database, emptied after every test. On SQLite each test
gets a copy of a schema-only template file.

On PostgreSQL the suite runs the way production does: the schema is created (and emptied) by the
owner, and the application connects as a second role `<database>_app` that may only SELECT and
INSERT `audit_event` (`therapy_portal.db_roles`). Tests that must reach behind the application's
back use `owner_engine()`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from therapy_portal import create_app
from therapy_portal.extensions import db as _db

TEST_DB = os.environ.get("TEST_DB", "sqlite")
IN_CI = os.environ.get("CI") == "true"


def pytest_report_header(config):
    return f"database: {TEST_DB}"


def _postgres_base_url() -> sa.URL:
    raw = os.environ.get("TEST_DATABASE_URL")
    if not raw:
        pytest.exit("TEST_DB=postgres needs TEST_DATABASE_URL", returncode=1)
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def app_role_name() -> str:
    return f"{_postgres_base_url().database}_app"


def _ensure_app_role(admin: sa.Engine, role: str) -> None:
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).scalar()
        if not exists:
            # Another worker may create it first.
            with contextlib.suppress(sa.exc.ProgrammingError, sa.exc.IntegrityError):
                conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, worker_id) -> Iterator[str]:
    """A database with the schema and nothing else; SQLite: a file to copy, PostgreSQL: a URL."""
    if TEST_DB == "postgres":
        base = _postgres_base_url()
        name = f"{base.database}_{worker_id}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        except sa.exc.OperationalError as exc:  # pragma: no cover - depends on the machine
            pytest.exit(f"PostgreSQL is not reachable at {base}: {exc}", returncode=1)
        _ensure_app_role(admin, app_role_name())
        url = base.set(database=name).render_as_string(hide_password=False)
        _create_schema(url)
        _grant_app_role(url)
        yield url
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _create_schema(f"sqlite:///{path}")
        yield str(path)


def _create_schema(url: str) -> None:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()


def _grant_app_role(owner_url: str) -> None:
    from therapy_portal.db_roles import grant_app_role

    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        grant_app_role(conn, app_role_name())
    engine.dispose()


def _app_url(owner_url: str) -> str:
    url = make_url(owner_url).set(username=app_role_name(), password=None)
    return url.render_as_string(hide_password=False)


_owner_engines: dict[str, sa.Engine] = {}


def owner_engine() -> sa.Engine:
    """The schema owner's engine (PostgreSQL), or the app's own engine (SQLite)."""
    from flask import current_app

    url = current_app.config.get("TEST_OWNER_DATABASE_URI")
    if not url:
        return _db.engine
    if url not in _owner_engines:
        _owner_engines[url] = sa.create_engine(url, poolclass=sa.pool.NullPool)
    return _owner_engines[url]


@pytest.fixture
def app_overrides() -> dict:
    """Override in a test module to change configuration (e.g. turn CSRF on)."""
    return {}


@pytest.fixture
def app(database_template, tmp_path, app_overrides):
    owner = {}
    if TEST_DB == "postgres":
        uri = _app_url(database_template)
        owner = {"TEST_OWNER_DATABASE_URI": database_template}
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template, path)
        uri = f"sqlite:///{path}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri, **owner, **app_overrides})
    from therapy_portal.extensions import limiter

    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        _db.session.remove()
        if TEST_DB == "postgres":
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with owner_engine().begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context for service tests (no HTTP)."""
    with app.app_context():
        yield app
        _db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two practices, their staff, three couples; see tests/factories.py."""
    from tests.factories import build_world

    with app.app_context():
        return build_world()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside the block: `with count_queries() as q: ...; q.count`."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = _db.engine

        def before(conn, cursor, statement, *args):
            counter.statements.append(statement)

        with _listening(app, engine, "before_cursor_execute", before):
            yield counter

    return counting


@contextmanager
def _listening(app, engine, name: str, listener) -> Iterator[None]:
    """`listener` on the engine's `name` event inside the block, with no session touch: the
    session's last-seen update depends on the clock (a slow machine crosses the touch interval
    while a test grows its data), not on the page, so it belongs to no count."""
    touch = app.config["SESSION_TOUCH_SECONDS"]
    app.config["SESSION_TOUCH_SECONDS"] = 10**9
    event.listen(engine, name, listener)
    try:
        yield
    finally:
        event.remove(engine, name, listener)
        app.config["SESSION_TOUCH_SECONDS"] = touch


@pytest.fixture
def count_round_trips(app):
    """PostgreSQL only: the times the application waited for the server inside the block, read
    off libpq's protocol trace as each turn from messages sent to messages received (a statement
    on its own, a pipeline of several, a BEGIN, a COMMIT).
    `with count_round_trips() as trips: ...; trips.count`."""

    @contextmanager
    def counting():
        import tempfile

        import psycopg

        with app.app_context():
            engine = _db.engine
        traces: list = []

        def checkout(dbapi_connection, record, proxy):
            trace = tempfile.TemporaryFile()  # noqa: SIM115 (closed after the block)
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
            traces.append((dbapi_connection, trace))

        counter = RoundTrips()
        try:
            with _listening(app, engine, "checkout", checkout):
                yield counter
        finally:
            for dbapi_connection, trace in traces:
                if not dbapi_connection.closed:
                    dbapi_connection.pgconn.untrace()
                trace.seek(0)
                lines = trace.read().decode(errors="replace").splitlines()
                sides = [line.split("\t", 1)[0] for line in lines]
                turns = zip(sides, sides[1:], strict=False)
                counter.count += sum(1 for turn in turns if turn == ("F", "B"))
                trace.close()

    return counting


class RoundTrips:
    def __init__(self) -> None:
        self.count = 0
