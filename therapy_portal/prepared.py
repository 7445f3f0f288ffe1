"""Statements built once per process, with the signed-in therapist as bind parameters.

Building an ORM statement (joins, subqueries, the policy's scoping) costs more CPU than running
it on a page like Today, which reads a dozen small lists: SQLAlchemy caches the compiled SQL,
not the expression that has to be built and walked every request. A read that runs on every
request builds its statement once, by calling the policy's own select functions with `ACTOR`,
a stand-in whose `id` and `practice_id` are bind parameters, and then executes it with
`params(actor, ...)`. The privacy rules stay where they are (the policy builds the scope); only
the values change per request.

    stmt = prepared.statement("today.drafts", lambda actor: policy.notes_for_therapist(actor)...)
    rows = db.session.execute(stmt, prepared.params(actor, today=today))

A page that needs several such reads states each as a `Read` (statement, values, and what its
rows become) and runs them with `run_together`: on PostgreSQL they go in one pipeline, one round
trip for all of them, instead of one each.

Only for therapists: the stand-in's role is THERAPIST, so `params` refuses anyone else (the
policy's selects give other roles an empty statement, which the stand-in cannot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, bindparam, literal_column
from sqlalchemy.engine import Connection, Dialect

from therapy_portal.extensions import db
from therapy_portal.models import Role, User


class _Actor:
    """The signed-in therapist as bind parameters, for the policy's select functions."""

    id = bindparam("actor_id", type_=Integer)
    practice_id = bindparam("actor_practice_id", type_=Integer)
    role = Role.THERAPIST


ACTOR: Any = _Actor()

_built: dict[str, Any] = {}


def statement(key: str, build: Callable[[Any], Any]) -> Any:
    """The statement named `key`, built by `build(ACTOR)` the first time it is asked for."""
    stmt = _built.get(key)
    if stmt is None:
        stmt = _built[key] = build(ACTOR)
    return stmt


def constant(value: int) -> Any:
    """An integer written into the SQL text, for a prepared statement's LIMIT (each limit is its
    own statement key already). psycopg prepares a statement after its fifth run and PostgreSQL
    then plans it once for any bind values: a `LIMIT %(param)s` it cannot see is planned as a
    tenth of the rows, and the joins after the limit were hashed over whole tables."""
    return literal_column(str(int(value)))


def params(actor: User, any_role: bool = False, **values: Any) -> dict[str, Any]:
    """The bind parameters of a prepared statement for this therapist, with `values`.
    `any_role=True` for a statement whose scope does not depend on the role (built without
    the policy's role-dependent selects)."""
    if not any_role and actor.role != Role.THERAPIST:
        raise PermissionError("prepared statements are scoped to a therapist")
    return {"actor_id": actor.id, "actor_practice_id": actor.practice_id, **values}


def rows(stmt: Any, values: dict[str, Any]) -> list[Any]:
    """The rows of a prepared statement that selects columns, not ORM objects, run on the
    session's connection: the ORM's execution layer (identity map, loading, autoflush) costs a
    third of a small statement's CPU and gives plain rows nothing (bench/cpu_page.py). Pending
    changes are flushed first, as `session.execute` would (nothing to do when there are none)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return list(session.connection().execute(stmt, values))


T = TypeVar("T")


@dataclass(frozen=True)
class Read(Generic[T]):
    """A prepared statement that selects columns, its values, and what its rows become."""

    stmt: Any
    values: dict[str, Any]
    shape: Callable[[list[Any]], T]


def run(read: Read[T]) -> T:
    """One read on its own."""
    return read.shape(rows(read.stmt, read.values))


def run_together(reads: Sequence[Read[Any]]) -> list[Any]:
    """What each read's rows become, in order, the reads sent together.

    On PostgreSQL (psycopg) the statements go in one pipeline: PostgreSQL runs them one after
    the other in the session's transaction, as `rows` would, but the web process waits once
    instead of once per statement. A round trip costs about as much as one of these small
    statements (both processes wake up), so on the Today page's reads this is most of their
    cost (docs/performance.md). Elsewhere (SQLite, in-process) they run one by one.
    Each statement still passes through the engine's cursor events (counts, the EXPLAIN test).
    """
    session = db.session
    if session.get_bind().dialect.driver != "psycopg" or len(reads) < 2:
        return [run(read) for read in reads]
    if session.autoflush:
        session.flush()
    found = _pipelined(session.connection(), reads)
    return [read.shape(rows) for read, rows in zip(reads, found, strict=True)]


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL for one dialect, with the type conversions SQLAlchemy would apply to
    its parameters and to its columns."""

    sql: str
    binds: dict[str, Callable[[Any], Any]]
    columns: list[Callable[[Any], Any] | None]

    def parameters(self, compiled: Any, values: dict[str, Any]) -> dict[str, Any]:
        parameters = compiled.construct_params(values)
        for name, convert in self.binds.items():
            if name in parameters:
                parameters[name] = convert(parameters[name])
        return parameters

    def convert(self, found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        converting = [(i, convert) for i, convert in enumerate(self.columns) if convert]
        if not converting:
            return found
        rows = []
        for row in found:
            values = list(row)
            for i, convert in converting:
                values[i] = convert(values[i])
            rows.append(tuple(values))
        return rows


_compiled: dict[int, tuple[Any, _Compiled]] = {}


def _compile(stmt: Any, dialect: Dialect) -> tuple[Any, _Compiled]:
    """Compiled once per statement (the statements are built once per process)."""
    known = _compiled.get(id(stmt))
    if known is not None and known[0].statement is stmt:
        return known
    compiled = stmt.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("a statement run together cannot expand a list of values")
    binds = {}
    for name, bind in compiled.binds.items():
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            binds[name] = convert
    columns = [
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in stmt.exported_columns  # a SELECT's columns, or what a DML statement returns
    ]
    known = (compiled, _Compiled(compiled.string, binds, columns))
    if len(_compiled) > 512:  # only prebuilt statements belong here; a stray one cannot pile up
        _compiled.clear()
    _compiled[id(stmt)] = known
    return known


def execute(connection: Connection, stmt: Any, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run one prebuilt statement (a SELECT, or a DML statement with RETURNING) and return its
    rows as tuples: on PostgreSQL (psycopg) on the connection's cursor, compiled once;
    elsewhere through `Connection.execute`.

    For the few statements every request runs, such as the audit chain's two:
    `Connection.execute` works out the statement's cache key, an execution context and a result
    object each time, which cost as much CPU as the round trip itself (bench/cpu_page.py).
    The statement still passes through the engine's `before_cursor_execute` event (query
    counts, the EXPLAIN test) and runs in the connection's transaction."""
    if connection.dialect.driver != "psycopg":
        return [tuple(row) for row in connection.execute(stmt, values)]
    plan, parameters = _announced(connection, stmt, values)
    with connection.connection.driver_connection.cursor() as cursor:
        cursor.execute(plan.sql, parameters)
        return plan.convert(cursor.fetchall()) if cursor.description else []


def _announced(connection: Connection, stmt: Any, values: dict[str, Any]):
    """The statement's compiled plan and parameters, told to the engine's cursor event first,
    as SQLAlchemy would before running it."""
    compiled, plan = _compile(stmt, connection.dialect)
    parameters = plan.parameters(compiled, values)
    connection.dispatch.before_cursor_execute(connection, None, plan.sql, parameters, None, False)
    return plan, parameters


def _pipelined(connection: Connection, reads: Sequence[Read[Any]]) -> list[list[Any]]:
    raw = connection.connection.driver_connection
    work = [(*_announced(connection, read.stmt, read.values), raw.cursor()) for read in reads]
    try:
        with raw.pipeline():
            for plan, parameters, cursor in work:
                cursor.execute(plan.sql, parameters)
        return [plan.convert(cursor.fetchall()) for plan, _, cursor in work]
    finally:
        for _, _, cursor in work:
            cursor.close()
