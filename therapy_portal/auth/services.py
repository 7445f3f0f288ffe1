"""Use cases for accounts: authenticate and change a password (invitations: `invitations`)."""

from __future__ import annotations

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import User, utcnow
from therapy_portal.passwords import (
    hash_password,
    password_problem,
    person_context,
    verify_password,
)
from therapy_portal.sessions import revoke_user_sessions


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The account that signs in with this address: the one with a password (at most one)."""
    return db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.password_hash.is_not(None))
    )


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Audits failures; success is
    audited by `complete_login` once the second factor (if any) is given too.

    Unknown emails cost the same hashing work as wrong passwords, and get the same answer. Only
    one account per address can have a password (a database index), so the login is unambiguous
    even when other practices have invited the same address.
    """
    user = find_user(email)
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
    return user


def complete_login(user: User, method: str) -> None:
    """Both factors (or the only one the user has) were given: record the sign-in."""
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, object_type="user", object_id=user.id, kind=method)


def own_password_problem(user: User, password: str) -> str | None:
    return password_problem(password, person_context(user.name, user.email, user.practice.name))


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
        raise ValidationFailed(gettext("Your current password is not right."), field="current")
    problem = own_password_problem(user, new)
    if problem:
        raise ValidationFailed(problem, field="password")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    ended = revoke_user_sessions(user.id, except_row_id=keep_session_row)
    audit.record(
        "auth.password_change", actor=user, object_type="user", object_id=user.id, count=ended
    )
    from therapy_portal.auth.reset import notify_password_changed

    notify_password_changed(user)
    return ended
