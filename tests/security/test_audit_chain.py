"""The audit log is a hash chain per practice; `flask audit verify` names the first broken link."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.conftest import TEST_DB, app_role_name, owner_engine
from tests.factories import make_practice, make_user
from therapy_portal import audit, audit_chain
from therapy_portal.extensions import db
from therapy_portal.models import AuditChainHead, AuditEvent, Role


def _events(ctx, count: int = 5):
    practice = make_practice()
    admin = make_user(practice, Role.ADMIN)
    for n in range(count):
        audit.record("test.event", actor=admin, object_type="thing", object_id=n)
    db.session.commit()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "test.event").order_by(AuditEvent.chain_seq)
    ).all()


def _behind_the_apps_back(statement: str, **params) -> None:
    """Change audit rows as the owner with the append-only triggers off, as an intruder would."""
    with owner_engine().begin() as conn:
        if TEST_DB == "postgres":
            conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
        conn.execute(sa.text(statement), params)
        if TEST_DB == "postgres":
            conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


def test_events_link_to_the_one_before(ctx):
    events = _events(ctx)
    assert [e.chain_seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit_chain.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    head = db.session.get(AuditChainHead, events[0].practice_id)
    assert (head.seq, head.last_hash) == (5, events[-1].hash)


def test_a_recorded_event_is_the_sessions_row_after_the_flush(ctx):
    """On PostgreSQL the chain inserts events itself (with the head's update) and hands them to
    the session as loaded rows: the object `record` returned is that row, flushed once."""
    admin = make_user(make_practice(), Role.ADMIN)
    first = audit.record("test.event", actor=admin, object_type="thing", object_id=1)
    db.session.flush()
    second = audit.record("test.event", actor=admin, object_type="thing", object_id=2)
    db.session.commit()
    assert first.id and second.id and first.id != second.id
    assert db.session.get(AuditEvent, first.id) is first
    stored = db.session.execute(
        select(AuditEvent.id, AuditEvent.chain_seq, AuditEvent.hash, AuditEvent.actor_role)
        .where(AuditEvent.action == "test.event")
        .order_by(AuditEvent.chain_seq)
    ).all()
    assert stored == [
        (first.id, 1, first.hash, Role.ADMIN),
        (second.id, 2, second.hash, Role.ADMIN),
    ]
    assert audit_chain.verify()[1] == []


def test_each_practice_has_its_own_chain(ctx):
    one, two = make_practice("One"), make_practice("Two")
    audit.record("x", actor=make_user(one, Role.ADMIN))
    audit.record("x", actor=make_user(two, Role.ADMIN))
    db.session.commit()
    seqs = db.session.execute(select(AuditEvent.chain_id, AuditEvent.chain_seq)).all()
    assert sorted(seqs) == [(one.id, 1), (two.id, 1)]


def test_verify_passes_on_an_intact_log(ctx, runner):
    _events(ctx)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "5 events verified" in result.output


def test_a_changed_row_fails_verify_naming_it(ctx, runner):
    events = _events(ctx)
    _behind_the_apps_back("UPDATE audit_event SET action = 'x' WHERE id = :id", id=events[2].id)
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {events[2].id}: its contents were changed" in result.output


def test_a_deleted_row_fails_verify_naming_the_gap(ctx, runner):
    events = _events(ctx)
    _behind_the_apps_back("DELETE FROM audit_event WHERE id = :id", id=events[1].id)
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {events[2].id}: the event(s) before it (2) are missing" in result.output


def test_a_deleted_tail_fails_verify(ctx, runner):
    events = _events(ctx)
    _behind_the_apps_back("DELETE FROM audit_event WHERE id = :id", id=events[-1].id)
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "the newest events up to 5 are missing" in result.output


def test_a_rewritten_row_with_a_fresh_hash_breaks_the_next_link(ctx, runner):
    events = _events(ctx)
    forged = events[1]
    forged.action = "forged"
    new_hash = audit_chain.event_hash(forged)
    db.session.rollback()
    _behind_the_apps_back(
        "UPDATE audit_event SET action = 'forged', hash = :h WHERE id = :id",
        h=new_hash,
        id=events[1].id,
    )
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert f"event {events[2].id}: it does not link to the event before it" in result.output


def test_denials_recorded_after_a_rollback_join_the_chain(ctx, runner):
    events = _events(ctx, count=1)
    audit.record_denied("couple.access", practice_id=events[0].practice_id)
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.postgres_only
@pytest.mark.skipif(TEST_DB != "postgres", reason="database roles exist on PostgreSQL")
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event"],
)
def test_the_application_role_cannot_change_the_audit_log(ctx, statement):
    _events(ctx, count=1)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == app_role_name()
    with (
        pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
        db.engine.begin() as conn,
    ):
        conn.execute(sa.text(statement))


@pytest.mark.postgres_only
@pytest.mark.skipif(TEST_DB != "postgres", reason="database roles exist on PostgreSQL")
def test_the_application_role_cannot_disable_the_triggers(ctx):
    with pytest.raises(sa.exc.ProgrammingError, match="must be owner"), db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
