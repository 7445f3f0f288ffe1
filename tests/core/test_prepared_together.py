"""Reads run together (`prepared.run_together`) give what each gives alone.

On PostgreSQL they go through psycopg's pipeline, past SQLAlchemy's execution layer, so the
parameter and column conversions are the module's own: these tests compare every Today read's
result both ways on data that fills each list (dates, times with zones, enums, JSON figures).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select

from tests.conftest import TEST_DB
from tests.factories import make_couple, make_practice, make_user, partner
from tests.plans.factories import plan_input
from tests.today import scenario
from therapy_portal import prepared
from therapy_portal.extensions import db
from therapy_portal.messages import services as messages
from therapy_portal.models import Couple, Role, User, utcnow
from therapy_portal.plans import services as plans
from therapy_portal.policy import messages as rules
from therapy_portal.today import sections
from therapy_portal.today.section_types import Day


def _busy_therapist() -> User:
    therapist = make_user(make_practice(), Role.THERAPIST, name="Therapist T")
    for name in ("Couple One", "Couple Two"):
        couple = make_couple(therapist, name=name)
        scenario.busy_day(therapist, couple)
        a = partner(couple, "A")
        messages.send(a, rules.thread_for_partner_or_404(a, "private"), "Can we talk first?")
        plan = plans.start_plan(therapist, couple)
        plans.save_draft(therapist, plan, plan_input(review_on=utcnow().date() + timedelta(days=2)))
        plans.sign_plan(therapist, plan)
    db.session.commit()
    return therapist


def test_every_today_read_gives_the_same_together_as_alone(ctx):
    therapist = _busy_therapist()
    day = Day(therapist, utcnow())
    made = {key: make(day) for key, make in sections.READS.items()}
    together = prepared.run_together(list(made.values()))
    alone = [prepared.run(read) for read in made.values()]
    assert together == alone
    assert repr(together) == repr(alone)  # the same types too: a time's zone, an enum
    found = dict(zip(made, together, strict=True))
    # Each list has something in it, so the comparison covers each read's columns.
    assert len(found["alerts"]) == 2 and found["alerts"][0].reason
    assert len(found["outcomes"]) == 2 and found["outcomes"][0].figures
    assert found["queue"].waiting_total == 2 and found["queue"].overdue_total == 2
    assert found["checkins"][1] > 0 and found["drafts"][1] == 2
    assert sum(t.unread for t in found["messages"]) == 2
    assert found["plans"][1] == 2
    assert found["drafts"][0][0].session_date.year > 2000


def test_a_read_sees_changes_not_yet_flushed(ctx):
    therapist = _busy_therapist()
    couple = db.session.scalars(select(Couple).where(Couple.display_name == "Couple One")).one()
    couple.display_name = "Renamed before the read"  # pending, not flushed
    day = Day(therapist, utcnow())
    alerts, drafts = prepared.run_together(
        [sections.READS["alerts"](day), sections.READS["drafts"](day)]
    )
    assert "Renamed before the read" in {a.couple_name for a in alerts}
    assert "Renamed before the read" in {d.couple_name for d in drafts[0]}


@pytest.mark.skipif(TEST_DB != "postgres", reason="the pipeline is PostgreSQL's")
def test_a_statement_that_expands_a_list_is_refused_in_a_pipeline(ctx):
    user_ids = select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))
    read = prepared.Read(user_ids, {"ids": [1, 2]}, list)
    with pytest.raises(ValueError, match="list of values"):
        prepared.run_together([read, read])


def test_one_statement_run_directly_returns_what_the_engine_returns(app, ctx):
    """The audit chain's statements go through `prepared.execute` (its own path on PostgreSQL,
    the engine's elsewhere): its rows (and their types: a zoned time, JSON) equal SQLAlchemy's
    for the same statement, and the engine's cursor event still sees it."""
    from sqlalchemy import event, insert

    from therapy_portal.models import AuditEvent

    table = AuditEvent.__table__
    stmt = (
        insert(table)
        .values(
            action="test.direct",
            actor_role="admin",
            object_type="",
            outcome="success",
            at=bindparam("at"),
            request_id="",
            ip="",
            detail=bindparam("detail", type_=table.c.detail.type),
            chain_id=0,
            chain_seq=bindparam("seq"),
            prev_hash="0" * 64,
            hash="1" * 64,
        )
        .returning(table.c.action, table.c.at, table.c.detail)
    )
    values = {"at": utcnow(), "detail": {"fields": ["a", "b"], "n": 2}, "seq": 10**9}
    conn = db.session.connection()
    seen = []
    listener = lambda _c, _cur, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        direct = prepared.execute(conn, stmt, values)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    through_engine = [tuple(row) for row in conn.execute(stmt, {**values, "seq": 10**9 + 1})]
    assert direct == through_engine
    assert repr(direct) == repr(through_engine)
    assert len(seen) == 1 and seen[0].startswith("INSERT INTO audit_event")
    db.session.rollback()
