"""Use cases for accounts: authenticate, invitations, password changes, deactivation."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import Invitation, User, utcnow
from therapy_portal.passwords import (
    hash_password,
    password_problem,
    person_context,
    verify_password,
)
from therapy_portal.sessions import hash_token, revoke_user_sessions


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Audits failures; success is
    audited by `complete_login` once the second factor (if any) is given too.

    Unknown emails cost the same hashing work as wrong passwords, and get the same answer.
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


# Invitations -------------------------------------------------------------------------------


class InvitationState(enum.StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    REPLACED = "replaced"
    UNKNOWN = "unknown"
    CLOSED = "closed"


@dataclass(frozen=True)
class InvitationLookup:
    state: InvitationState
    invitation: Invitation | None


def issue_invitation(
    user: User, *, created_by: User | None, couple_id: int | None = None, label: str | None = None
) -> str:
    """Create a single-use invitation for `user`, replacing any open one. Returns the raw token."""
    now = utcnow()
    for old in db.session.scalars(
        select(Invitation).where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.replaced_at.is_(None),
        )
    ):
        old.replaced_at = now
    token = secrets.token_urlsafe(32)
    ttl = timedelta(days=current_app.config["INVITATION_TTL_DAYS"])
    invitation = Invitation(
        practice_id=user.practice_id,
        token_hash=hash_token(token),
        user_id=user.id,
        email=user.email,
        couple_id=couple_id,
        partner_label=label,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + ttl,
    )
    db.session.add(invitation)
    db.session.flush()
    return token


def look_up_invitation(token: str) -> InvitationLookup:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    if invitation is None:
        return InvitationLookup(InvitationState.UNKNOWN, None)
    if invitation.used_at is not None:
        return InvitationLookup(InvitationState.USED, invitation)
    if invitation.replaced_at is not None:
        return InvitationLookup(InvitationState.REPLACED, invitation)
    if invitation.expires_at <= utcnow():
        return InvitationLookup(InvitationState.EXPIRED, invitation)
    if not invitation.user.active:
        return InvitationLookup(InvitationState.CLOSED, invitation)
    if invitation.couple_id is not None:
        from therapy_portal.models import Couple

        couple = db.session.get(Couple, invitation.couple_id)
        if couple is None or not couple.is_active:
            return InvitationLookup(InvitationState.CLOSED, invitation)
    return InvitationLookup(InvitationState.VALID, invitation)


def accept_invitation(token: str, password: str) -> User:
    """Set the invited person's password and spend the invitation. Raises ValidationFailed."""
    lookup = look_up_invitation(token)
    if lookup.state is not InvitationState.VALID or lookup.invitation is None:
        raise ValidationFailed("This invitation can no longer be used.", state=lookup.state)
    invitation = lookup.invitation
    user = invitation.user
    problem = own_password_problem(user, password)
    if problem:
        raise ValidationFailed(problem, field="password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    invitation.used_at = utcnow()
    audit.record(
        "invitation.accepted",
        actor=user,
        object_type="invitation",
        object_id=invitation.id,
        couple_id=invitation.couple_id,
    )
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
