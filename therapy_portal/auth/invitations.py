"""Invitations: a single-use link, bound to the address it was sent to, to choose a password.

The rules, in one place:
- The link is made when the email is delivered and only its hash is stored
  (`invitation_delivery`); no table holds a usable link.
- An invitation works only while its account still has the address it was sent to. Changing the
  address (`change_address`) revokes every open invitation of that person, and their unsent
  emails are cancelled.
- It works once (spent by one guarded UPDATE), until it expires (INVITATION_TTL_DAYS), or until
  a newer one replaces it.
- Inviting never reveals whether an address is known in another practice; only one account per
  address can hold a password (a database index), so the first invitation accepted wins and the
  others say what to do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.exc import IntegrityError

from therapy_portal import audit
from therapy_portal.auth.invitation_delivery import login_taken, stored_body, subject_for
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import for_person, gettext
from therapy_portal.mail import queue_email
from therapy_portal.models import Couple, Invitation, OutboxEmail, User, utcnow
from therapy_portal.passwords import hash_password, password_problem, person_context
from therapy_portal.sessions import hash_token


class InvitationState(enum.StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    REPLACED = "replaced"
    REVOKED = "revoked"
    TAKEN = "taken"
    UNKNOWN = "unknown"
    CLOSED = "closed"


@dataclass(frozen=True)
class InvitationLookup:
    state: InvitationState
    invitation: Invitation | None


def open_clause() -> ColumnElement[bool]:
    """Not yet used, replaced or revoked (expiry is checked separately, against the clock)."""
    return and_(
        Invitation.used_at.is_(None),
        Invitation.replaced_at.is_(None),
        Invitation.revoked_at.is_(None),
    )


def _close_open(user: User, column: str) -> list[int]:
    """Mark the user's open invitations replaced or revoked; cancel their unsent emails."""
    now = utcnow()
    ids = list(
        db.session.scalars(
            update(Invitation)
            .where(Invitation.user_id == user.id, open_clause())
            .values({column: now})
            .returning(Invitation.id)
        )
    )
    if ids:
        db.session.execute(
            update(OutboxEmail)
            .where(
                OutboxEmail.invitation_id.in_(ids),
                OutboxEmail.sent_at.is_(None),
                OutboxEmail.cancelled_at.is_(None),
            )
            .values(cancelled_at=now)
        )
    return ids


def issue(
    user: User, *, created_by: User | None, couple_id: int | None = None, label: str | None = None
) -> Invitation:
    """A new open invitation for `user` at their current address, replacing any open one."""
    _close_open(user, "replaced_at")
    now = utcnow()
    invitation = Invitation(
        practice_id=user.practice_id,
        user_id=user.id,
        email=user.email,
        couple_id=couple_id,
        partner_label=label,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_TTL_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def send(
    actor: User, user: User, *, couple_id: int | None = None, label: str | None = None
) -> Invitation:
    """Issue an invitation and queue its email (the link is added when it is delivered)."""
    invitation = issue(user, created_by=actor, couple_id=couple_id, label=label)
    with for_person(user):  # in the invited person's language, not the inviter's
        queue_email(
            user.email,
            subject_for(user),
            stored_body(user),
            kind="invitation",
            practice_id=actor.practice_id,
            invitation_id=invitation.id,
        )
    return invitation


def change_address(actor: User, user: User, email: str, *, couple_id: int | None = None) -> int:
    """Give `user` a new address; every open invitation of theirs is revoked. Returns how many."""
    if email == user.email:
        return 0
    user.email = email
    revoked = _close_open(user, "revoked_at")
    if revoked:
        audit.record(
            "invitation.revoke",
            actor=actor,
            object_type="user",
            object_id=user.id,
            couple_id=couple_id,
            count=len(revoked),
        )
    return len(revoked)


def look_up(token: str) -> InvitationLookup:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    return InvitationLookup(_state(invitation), invitation)


def _state(invitation: Invitation | None) -> InvitationState:
    if invitation is None:
        return InvitationState.UNKNOWN
    if invitation.used_at is not None:
        return InvitationState.USED
    if invitation.replaced_at is not None:
        return InvitationState.REPLACED
    if invitation.revoked_at is not None or invitation.email != invitation.user.email:
        return InvitationState.REVOKED
    if invitation.expires_at <= utcnow():
        return InvitationState.EXPIRED
    if not invitation.user.active:
        return InvitationState.CLOSED
    if invitation.couple_id is not None:
        couple = db.session.get(Couple, invitation.couple_id)
        if couple is None or not couple.is_active:
            return InvitationState.CLOSED
    if login_taken(invitation.user):
        return InvitationState.TAKEN
    return InvitationState.VALID


def _refused(state: InvitationState) -> ValidationFailed:
    return ValidationFailed(gettext("This invitation can no longer be used."), state=state)


def accept(token: str, password: str) -> User:
    """Set the invited person's password and spend the invitation, exactly once.

    Raises ValidationFailed: with `field="password"` for a weak password, or with the
    invitation's `state` when it can't be used (including a concurrent accept that won).
    """
    lookup = look_up(token)
    if lookup.state is not InvitationState.VALID or lookup.invitation is None:
        raise _refused(lookup.state)
    invitation, now = lookup.invitation, utcnow()
    user = invitation.user
    problem = password_problem(password, person_context(user.name, user.email, user.practice.name))
    if problem:
        raise ValidationFailed(problem, field="password")
    spent = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, open_clause()).values(used_at=now)
    )
    if spent.rowcount != 1:
        raise _refused(InvitationState.USED)
    try:
        with db.session.begin_nested():
            user.password_hash = hash_password(password)
            user.password_changed_at = now
    except IntegrityError:
        raise _refused(InvitationState.TAKEN) from None
    audit.record(
        "invitation.accepted",
        actor=user,
        object_type="invitation",
        object_id=invitation.id,
        couple_id=invitation.couple_id,
    )
    return user
