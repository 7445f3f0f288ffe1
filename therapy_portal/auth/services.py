"""Use cases for accounts: authenticate and change a password (invitations: `invitations`)."""

from __future__ import annotations

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import User, utcnow
from therapy_portal.passwords import hash_password, password_problem, verify_password
from therapy_portal.sessions import revoke_user_sessions


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Audits both outcomes.

    Unknown emails cost the same hashing work as wrong passwords, and get the same answer. Only
    one account per address can have a password (a database index), so the login is unambiguous
    even when other practices have invited the same address.
    """
    user = db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.password_hash.is_not(None))
    )
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        reason = "unknown" if user is None else ("inactive" if ok else "bad_password")
        audit.record(
            "auth.login_failed",
            actor=None,
            object_type="user",
            object_id=user.id if user else None,
            practice_id=user.practice_id if user else None,
            outcome="failure",
            reason=reason,
        )
        return None
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, object_type="user", object_id=user.id)
    return user


# Passwords and deactivation ---------------------------------------------------------------


def change_password(user: User, current: str, new: str, *, keep_session_row: int | None) -> int:
    """Change a password; every other session of the user ends. Returns how many ended."""
    if not verify_password(user.password_hash, current):
        audit.record(
            "auth.password_change",
            actor=user,
            object_type="user",
            object_id=user.id,
            outcome="failure",
            reason="bad_password",
        )
        raise ValidationFailed("Your current password is not right.", field="current")
    problem = password_problem(new)
    if problem:
        raise ValidationFailed(problem, field="password")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    ended = revoke_user_sessions(user.id, except_row_id=keep_session_row)
    audit.record(
        "auth.password_change", actor=user, object_type="user", object_id=user.id, count=ended
    )
    return ended
