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

Only for therapists: the stand-in's role is THERAPIST, so `params` refuses anyone else (the
policy's selects give other roles an empty statement, which the stand-in cannot).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, bindparam, literal_column

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
