"""Query plans: no statement of a therapist page reads `response`, `occurrence`,
`measure_response` or `audit_event` by a sequential scan (PostgreSQL only).

Another practice gets a few thousand rows in each of those tables (a year of weekly homework
and check-ins for 40 couples, and their audit events), written in bulk with `generate_series`;
the therapist has two couples with real homework, check-ins and a signed note, made through the
services. After `ANALYZE`, each page is requested once, every statement it sends is captured
with an engine event, and each is EXPLAINed with the planner's normal settings.

Each statement is EXPLAINed twice: as sent (PostgreSQL plans it for the values given) and as
psycopg runs it from its sixth execution on a connection, prepared, where PostgreSQL may switch
to a generic plan made once for any values. A generic plan cannot see a bind parameter's value,
so a partial index whose predicate the query states with a parameter (`submitted_count < $3`)
is out of its reach: Today's overdue list read the whole `occurrence` table that way while its
first five runs used the index. Forcing the generic plan (`plan_cache_mode`) shows it.

Why normal settings and not `SET enable_seqscan = off`: turning sequential scans off proves only
that some index path exists, and the planner would pick it however bad it is. With statistics
that say the therapist's rows are a small part of each table, a sequential scan is what the
planner picks when the query gives it nothing narrower to start from (an aggregate over the
whole table, or a filter no index serves), which is the defect this test is here to catch.
"""

from __future__ import annotations

import re
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import event, select, text

from tests import clock
from tests.conftest import TEST_DB
from tests.factories import login, make_couple, make_practice, make_user, partner
from tests.homework.factories import answers, assign, make_version, submit
from tests.measures.factories import make_response, make_schedule
from tests.notes.factories import make_note
from therapy_portal.extensions import db
from therapy_portal.models import Role
from therapy_portal.models.homework import Occurrence

pytestmark = pytest.mark.skipif(TEST_DB != "postgres", reason="query plans are PostgreSQL's")

WATCHED = ("response", "occurrence", "measure_response", "audit_event")
PAGES = [
    "/today",
    "/couples",
    "/couples/{couple}",
    "/homework/couples/{couple}",
    "/homework/assignments/{assignment}",
    "/homework/review",
    "/homework/occurrences/{occurrence}/review",
    "/notes",
    "/couples/{couple}/notes",
    "/notes/{note}",
    "/couples/{couple}/progress",
    "/homework/library",
    "/homework/couples/{couple}/assign",
]

# 40 couples of another practice, each with a year of weekly homework (both partners
# answered), weekly check-ins and audit events: thousands of rows in every watched table.
OTHER_PRACTICE = """
INSERT INTO practice (id, name, timezone, address, phone, created_at)
VALUES (900, 'Other practice', 'UTC', '', '', now());
INSERT INTO user_account (id, practice_id, role, email, name, credentials, active, created_at)
SELECT 9000 + g, 900, 'client', 'other' || g || '@example.com', 'Other ' || g, '', true, now()
FROM generate_series(0, 79) g;
INSERT INTO couple (id, practice_id, display_name, status, confidentiality_policy,
                    policy_agreed_on, created_at)
SELECT 9000 + g, 900, 'Other couple ' || g, 'active', 'no_secrets', current_date, now()
FROM generate_series(0, 39) g;
INSERT INTO assignment (id, practice_id, couple_id, version_id, mode, visibility, cadence,
                        first_due_on, note, status, created_at)
SELECT 9000 + g, 900, 9000 + g, :version, 'each_partner', '{}', 'weekly',
       current_date - 364, '', 'active', now()
FROM generate_series(0, 39) g;
INSERT INTO occurrence (id, practice_id, couple_id, assignment_id, sequence, due_on,
                        created_at, submitted_count, reviewed_at)
SELECT 90000 + c * 52 + w, 900, 9000 + c, 9000 + c, w + 1, current_date - 364 + 7 * w, now(),
       2, now()
FROM generate_series(0, 39) c, generate_series(0, 51) w;
INSERT INTO response (practice_id, couple_id, occurrence_id, author_label, status, draft,
                      answers, version, created_at, updated_at, submitted_at,
                      first_submitted_at, return_note)
SELECT o.practice_id, o.couple_id, o.id, l, 'submitted', '{}', '{}', 2, now(), now(), now(),
       now(), ''
FROM occurrence o, (VALUES ('A'), ('B')) AS labels(l) WHERE o.practice_id = 900 AND o.id >= 90000;
INSERT INTO measure_schedule (id, practice_id, couple_id, instrument, interval_weeks,
                              starts_on, created_at)
SELECT 9000 + g, 900, 9000 + g, 'csi4', 1, current_date - 364, now()
FROM generate_series(0, 39) g;
INSERT INTO measure_response (practice_id, couple_id, schedule_id, partner_id, period_index,
                              instrument, answers, total, flags, taken_at)
SELECT 900, 9000 + c, 9000 + c, 9000 + 2 * c + p, w, 'csi4', '{}', 12, '[]',
       now() - (364 - 7 * w) * interval '1 day'
FROM generate_series(0, 39) c, generate_series(0, 1) p, generate_series(0, 51) w;
INSERT INTO audit_event (practice_id, actor_id, actor_role, action, object_type, object_id,
                         couple_id, outcome, at, request_id, ip, detail, chain_id,
                         prev_hash, hash)
SELECT 900, 9000 + g % 80, 'client', 'homework.submit', 'response', g, 9000 + g % 40,
       'success', now() - g * interval '1 minute', '', '', '{}', 900, '', ''
FROM generate_series(0, 4999) g;
"""


def _seed(app, bulk_in: str = "other practice") -> dict[str, int]:
    with app.app_context():
        practice = make_practice()
        therapist = make_user(practice, Role.THERAPIST, name="Therapist T")
        couples = [make_couple(therapist, name=f"Couple {n}") for n in range(2)]
        version = make_version(therapist)
        ids: dict[str, int] = {"couple": couples[0].id}
        for couple in couples:
            a, b = partner(couple, "A"), partner(couple, "B")
            assignment = assign(therapist, couple, version, cadence="weekly", ends_in=35)
            first = db.session.scalars(
                select(Occurrence)
                .where(Occurrence.assignment_id == assignment.id)
                .order_by(Occurrence.sequence)
            ).first()
            submit(a, first, answers("a"))
            submit(b, first, answers("b"))
            schedule = make_schedule(couple, starts_on=clock.today() - timedelta(weeks=3))
            for week in range(3):
                make_response(schedule, a, week)
            note = make_note(therapist, couple, signed=True)
            ids.setdefault("assignment", assignment.id)
            ids.setdefault("occurrence", first.id)
            ids.setdefault("note", note.id)
        bulk = OTHER_PRACTICE
        if bulk_in == "same practice":  # a colleague's 40 couples: the practice's id is no filter
            bulk = re.sub(r"\b900\b", str(practice.id), bulk.split(";", 1)[1])
        for statement in bulk.split(";"):
            if statement.strip():
                db.session.execute(text(statement), {"version": version.id})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        ids["therapist_email"] = therapist.email  # type: ignore[assignment]
        return ids


def _statements(app, client, path: str) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


def _generic_plan(raw, statement: str, parameters: dict) -> str:
    """The plan PostgreSQL makes once for any values, for `statement` prepared with its
    `%(name)s` parameters as `$n` (the casts SQLAlchemy writes after each keep their types)."""
    names: list[str] = []

    def placeholder(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    sql = re.sub(r"%\((\w+)\)s", placeholder, statement).replace("%%", "%")
    cursor = psycopg.ClientCursor(raw.driver_connection)  # the values written into EXECUTE
    cursor.execute("SET plan_cache_mode = force_generic_plan")
    cursor.execute(f"PREPARE tp_generic AS {sql}")
    try:
        arguments = ", ".join(["%s"] * len(names))
        cursor.execute(
            f"EXPLAIN EXECUTE tp_generic({arguments})" if names else "EXPLAIN EXECUTE tp_generic",
            [parameters[name] for name in names],
        )
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        cursor.execute("DEALLOCATE tp_generic")
        cursor.execute("RESET plan_cache_mode")


@pytest.mark.parametrize("bulk_in", ["other practice", "same practice"])
def test_no_therapist_page_scans_the_big_tables(app, client, bulk_in):
    ids = _seed(app, bulk_in)
    login(client, ids.pop("therapist_email"))
    scans = []
    checked = 0
    for template in PAGES:
        path = template.format(**ids)
        for statement, parameters in _statements(app, client, path):
            with app.app_context():
                raw = db.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    cursor.execute("EXPLAIN " + statement, parameters)
                    plans = {
                        "custom": "\n".join(row[0] for row in cursor.fetchall()),
                        "generic": _generic_plan(raw, statement, parameters),
                    }
                finally:
                    raw.close()
            checked += 1
            for kind, plan in plans.items():
                for table in re.findall(r"Seq Scan on (\w+)", plan):
                    if table in WATCHED:
                        scans.append(f"{path} ({kind} plan): {table}\n{statement}\n{plan}")
    assert checked > 3 * len(PAGES)
    assert not scans, "\n\n".join(scans)
