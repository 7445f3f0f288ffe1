"""Races on PostgreSQL, with real threads on separate connections: a TOTP code or a recovery code
presented twice at the same moment is accepted once; concurrent failures are all counted."""

from __future__ import annotations

import threading

import pyotp
import pytest
from sqlalchemy import select, update

from tests.conftest import TEST_DB
from tests.factories import make_practice, make_user
from therapy_portal.auth import mfa, throttle
from therapy_portal.extensions import db
from therapy_portal.models import LoginFailure, RecoveryCode, Role, User

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(TEST_DB != "postgres", reason="row locking is tested on PostgreSQL"),
]
TRIALS = 20


def _race(app, attempt, workers: int = 2) -> list:
    """Run `attempt()` in `workers` threads released together; each has its own connection."""
    barrier = threading.Barrier(workers)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        with app.app_context():
            barrier.wait()
            outcome = attempt()
            db.session.commit()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def user_id(app) -> int:
    with app.app_context():
        user = make_user(make_practice(), Role.THERAPIST)
        db.session.commit()
        return user.id


def test_the_same_totp_code_raced_twice_is_accepted_once(app, user_id):
    for _ in range(TRIALS):
        with app.app_context():
            db.session.execute(update(User).where(User.id == user_id).values(totp_last_step=None))
            db.session.commit()
            code = pyotp.TOTP(db.session.get(User, user_id).totp_secret).now()
        results = _race(app, lambda c=code: mfa.verify_totp(db.session.get(User, user_id), c))
        assert sorted(results) == [False, True]


def test_the_same_recovery_code_raced_twice_is_accepted_once(app, user_id):
    for _ in range(TRIALS):
        with app.app_context():
            code = mfa.new_recovery_codes(db.session.get(User, user_id))[0]
            db.session.commit()
        results = _race(app, lambda c=code: mfa.use_recovery_code(db.session.get(User, user_id), c))
        assert sorted(results) == [False, True]
        with app.app_context():
            used = db.session.scalars(
                select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))
            ).all()
            assert len(used) == 1


def test_concurrent_failures_are_all_counted(app):
    with app.test_request_context():
        results = _race(
            app,
            lambda: throttle.record_failure("target@example.com", "203.0.113.1", None),
            workers=TRIALS,
        )
    assert len(results) == TRIALS
    with app.app_context():
        counts = sorted(db.session.scalars(select(LoginFailure.failures)).all())
    assert counts == [TRIALS, TRIALS]  # the account, and the account from that address
