"""What keeps a prepared statement's generic plan on its indexes (see therapy_portal/prepared.py).

psycopg prepares a statement after its fifth run on a connection, and PostgreSQL may then plan
it once for any bind values. Such a plan can use a partial index only when the query states the
index's predicate with constants, and it plans a `LIMIT` it cannot see as a tenth of the rows.
On the 200-couple benchmark database, Today's overdue list read the whole `occurrence` table
that way (1.12 ms a request against 0.49 ms; docs/performance.md). These checks read the SQL the
reads compile to, so they hold on either database.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql

from therapy_portal import prepared
from therapy_portal.homework.services import review, summary
from therapy_portal.models.homework import Occurrence
from therapy_portal.models.notes import SessionNote
from therapy_portal.today import reads


def _sql(element) -> str:
    return " ".join(str(element.compile(dialect=postgresql.dialect())).split())


def _predicate(model, index_name: str) -> str:
    index = next(i for i in model.__table__.indexes if i.name == index_name)
    return str(index.dialect_options["postgresql"]["where"])


def test_waiting_and_overdue_state_their_partial_indexes_predicates_as_constants():
    assert _predicate(Occurrence, "ix_occurrence_waiting") == (
        "reviewed_at IS NULL AND submitted_count > 0"
    )
    assert "occurrence.reviewed_at IS NULL AND occurrence.submitted_count > 0" in _sql(
        review._waiting()
    )
    assert _predicate(Occurrence, "ix_occurrence_open") == "submitted_count < 2"
    assert "occurrence.submitted_count < 2" in _sql(review._open(date(2026, 12, 1)))


def test_unsigned_drafts_state_the_partial_index_predicate_as_a_constant():
    assert _predicate(SessionNote, "ix_session_note_drafts") == "status = 'draft'"
    assert "session_note.status = 'draft'" in _sql(reads._drafts(prepared.ACTOR, 10))


def test_todays_prepared_lists_write_their_limit_into_the_sql():
    for statement in (
        summary._waiting_first(prepared.ACTOR, 10),
        summary._overdue_first(prepared.ACTOR, 10),
        reads._gap_rows(prepared.ACTOR, 10),
        reads._drafts(prepared.ACTOR, 10),
    ):
        sql = _sql(statement)
        assert "LIMIT 10" in sql, sql
        assert "LIMIT %(" not in sql, sql
