"""Per-account login throttling that cannot be turned against the account's owner.

Two counters live in `login_failure`, keyed by hashes so unknown emails behave exactly like known
ones: one per account (the normalised email) and one per account *and address*.

- From one address, after LOGIN_DELAY_AFTER_FAILURES failures the next try must wait 1, 2, 4 …
  seconds (capped). Someone failing from another address does not slow the owner down.
- From anywhere, after LOGIN_STEP_UP_AFTER_FAILURES failures the password alone stops being
  enough: the second factor (or, for a partner without one, a link sent by email) is needed.
  The owner with the right password and second factor still gets in, and is emailed once.
- Counters restart after LOGIN_FAILURE_WINDOW_MINUTES without a failure and are cleared when the
  owner signs in.

Per-address limits across accounts stay with Flask-Limiter (LOGIN_LIMIT_PER_ADDRESS).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.i18n import N_
from therapy_portal.models import LoginFailure, User, utcnow


def _key(*parts: str) -> str:
    text = "\x1f".join(parts)
    return hashlib.sha256(f"{current_app.config['SECRET_KEY']}\x1e{text}".encode()).hexdigest()


def _account_key(email: str) -> str:
    return _key("account", email.strip().lower())


def _pair_key(email: str, address: str) -> str:
    return _key("pair", email.strip().lower(), address)


def _row(key: str) -> LoginFailure | None:
    row = db.session.scalar(select(LoginFailure).where(LoginFailure.key_hash == key))
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    if row is None or utcnow() - row.last_failed_at > window:
        return None
    return row


def wait_seconds(email: str, address: str) -> int:
    """Seconds this address must still wait before trying this account again (0: go ahead)."""
    cfg = current_app.config
    row = _row(_pair_key(email, address))
    if row is None or row.failures < cfg["LOGIN_DELAY_AFTER_FAILURES"]:
        return 0
    delay = min(
        2 ** (row.failures - cfg["LOGIN_DELAY_AFTER_FAILURES"]), cfg["LOGIN_DELAY_MAX_SECONDS"]
    )
    remaining = row.last_failed_at + timedelta(seconds=delay) - utcnow()
    return max(0, int(remaining.total_seconds() + 0.999))


def step_up_required(email: str) -> bool:
    """True when this account has failed often enough that a password alone is not enough."""
    row = _row(_account_key(email))
    return row is not None and row.failures >= current_app.config["LOGIN_STEP_UP_AFTER_FAILURES"]


def record_failure(email: str, address: str, user: User | None) -> None:
    """Count a failed password or code; when the account reaches step-up, record it as a
    security event and email the owner."""
    _increment(_pair_key(email, address))
    failures = _increment(_account_key(email))
    if failures == current_app.config["LOGIN_STEP_UP_AFTER_FAILURES"]:
        _audit("auth.login_step_up", user, count=failures)
        if user is not None:
            _notify_owner(user)


def record_slowed(user: User | None, wait: int) -> None:
    """A sign-in refused because this address must wait: a security event (ASVS 16.3.3).

    Identifiers only: the account (when it exists) and the wait; never the email typed."""
    _audit("auth.login_throttled", user, count=wait)


def _audit(action: str, user: User | None, **detail: int) -> None:
    audit.record(
        action,
        object_type="user",
        object_id=user.id if user else None,
        practice_id=user.practice_id if user else None,
        outcome="denied",
        **detail,
    )


def clear(email: str, address: str) -> None:
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.key_hash.in_([_account_key(email), _pair_key(email, address)])
        )
    )


def _increment(key: str) -> int:
    """Add one failure atomically (insert or update in one statement); returns the new count."""
    now = utcnow()
    cutoff = now - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = LoginFailure.__table__
    stmt = dialect.insert(table).values(key_hash=key, failures=1, last_failed_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key_hash],
        set_={
            "failures": case((table.c.last_failed_at < cutoff, 1), else_=table.c.failures + 1),
            "last_failed_at": now,
        },
    ).returning(table.c.failures)
    return int(db.session.execute(stmt).scalar_one())


def _notify_owner(user: User) -> None:
    from therapy_portal.mail import queue_email_for

    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queue_email_for(
        user,
        N_("Several failed sign-ins to your Therapy Portal account"),
        N_(
            "Hello,\n\nSomeone tried to sign in to your account several times with a wrong "
            "password or code. Your account is not locked: you can still sign in as usual, and "
            "for now the portal asks for your second factor or a link sent to this address as "
            "well.\n\nIf this was not you, sign in and change your password, or ask your practice "
            "for help:\n%(link)s"
        ),
        link=f"{base}/login",
        kind="security",
        practice_id=user.practice_id,
    )
