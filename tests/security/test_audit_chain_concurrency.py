"""Concurrent writers of one practice append to its chain in turn (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_DB
from tests.factories import make_practice, make_user
from therapy_portal import audit, audit_chain
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Role

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(TEST_DB != "postgres", reason="needs concurrent connections"),
]

THREADS = 4
TRIALS = 20


def _writer(app, actor_id: int, start: threading.Barrier, errors: list) -> None:
    from therapy_portal.models import User

    try:
        with app.app_context():
            actor = db.session.get(User, actor_id)
            start.wait(timeout=10)
            for n in range(3):
                audit.record("test.concurrent", actor=actor, object_type="thing", object_id=n)
                db.session.flush()
            db.session.commit()
            db.session.remove()
    except Exception as exc:  # reported by the test
        errors.append(exc)


def test_concurrent_requests_never_fork_the_chain(app):
    with app.app_context():
        practice = make_practice()
        actors = [make_user(practice, Role.THERAPIST).id for _ in range(THREADS)]
        db.session.commit()
    for _trial in range(TRIALS):
        start, errors = threading.Barrier(THREADS), []
        threads = [threading.Thread(target=_writer, args=(app, a, start, errors)) for a in actors]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
    with app.app_context():
        checked, breaks = audit_chain.verify()
        assert breaks == []
        written = db.session.scalar(
            select(func.count()).where(AuditEvent.action == "test.concurrent")
        )
        assert written == checked == TRIALS * THREADS * 3
