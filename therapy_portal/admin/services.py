"""Use cases for the practice admin. An admin sees no clinical content."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from therapy_portal import audit
from therapy_portal.admin.guards import require_admin as _require_admin
from therapy_portal.admin.reassign import couples_to_reassign
from therapy_portal.auth import invitations
from therapy_portal.auth.services import normalise_email
from therapy_portal.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, for_person, gettext
from therapy_portal.mail import queue_email_for
from therapy_portal.models import CoupleTherapist, Role, User, UserSession, utcnow
from therapy_portal.sessions import revoke_user_sessions


@dataclass(frozen=True)
class StaffRow:
    user: User
    couples: int
    invited: bool


def list_staff(actor: User) -> list[StaffRow]:
    _require_admin(actor)
    users = list(
        db.session.scalars(
            select(User)
            .where(
                User.practice_id == actor.practice_id, User.role.in_([Role.ADMIN, Role.THERAPIST])
            )
            .order_by(User.active.desc(), User.name)
        )
    )
    counts = dict(
        db.session.execute(
            select(CoupleTherapist.therapist_id, func.count())
            .where(CoupleTherapist.practice_id == actor.practice_id)
            .group_by(CoupleTherapist.therapist_id)
        ).all()
    )
    return [StaffRow(u, counts.get(u.id, 0), not u.has_password) for u in users]


def invite_therapist(actor: User, *, name: str, email: str, credentials: str = "") -> User:
    """Create a therapist account and email them a single-use link to choose a password.

    Only the admin's own practice is asked whether the address is in use: another practice's
    accounts never change the answer (see `auth.invitations`).
    """
    _require_admin(actor)
    email = normalise_email(email)
    in_practice = select(User).where(User.practice_id == actor.practice_id, User.email == email)
    if db.session.scalar(in_practice) is not None:
        raise ValidationFailed(
            gettext("Someone already has an account with this email."), field="email"
        )
    user = User(
        practice_id=actor.practice_id,
        role=Role.THERAPIST,
        email=email,
        name=name.strip(),
        credentials=credentials.strip(),
    )
    db.session.add(user)
    db.session.flush()
    invitations.send(actor, user)
    audit.record("admin.invite_therapist", actor=actor, object_type="user", object_id=user.id)
    return user


def resend_staff_invitation(actor: User, user_id: int) -> None:
    user = staff_for_admin_or_404(actor, user_id)
    if user.has_password:
        raise InvalidState(gettext("This person has already joined."))
    invitations.send(actor, user)
    audit.record("admin.resend_invitation", actor=actor, object_type="user", object_id=user.id)


def staff_for_admin_or_404(actor: User, user_id: int) -> User:
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None or user.practice_id != actor.practice_id or user.role == Role.CLIENT:
        audit.record_denied("admin.user_access", actor=actor, object_type="user", object_id=user_id)
        raise NotAllowed(gettext("not found"))
    return user


def _check_deactivation(actor: User, user: User) -> None:

    if user.id == actor.id:
        raise InvalidState(gettext("You can't deactivate your own account."))
    if not user.active:
        raise InvalidState(gettext("This account is already deactivated."))
    waiting = couples_to_reassign(actor, user)
    if waiting:
        raise InvalidState(
            f"{user.name} is the primary therapist of {len(waiting)} "
            f"couple{'s' if len(waiting) != 1 else ''}. Give each to another therapist first.",
            couples=len(waiting),
        )


def deactivate_user(actor: User, user_id: int) -> int:
    """Deactivate a staff account; all its sessions end at once. Returns sessions ended.

    Refused while the person is the primary therapist of any couple (see `admin.reassign`)."""

    user = staff_for_admin_or_404(actor, user_id)
    _check_deactivation(actor, user)
    user.active = False
    ended = revoke_user_sessions(user.id)
    audit.record(
        "admin.deactivate", actor=actor, object_type="user", object_id=user.id, count=ended
    )
    return ended


def deactivation_problem(actor: User, user: User) -> DomainError | None:
    """Why `user` can't be deactivated now (the refusal `deactivate_user` would raise), or None."""
    try:
        _check_deactivation(actor, user)
    except InvalidState as problem:
        return problem
    return None


def reactivate_user(actor: User, user_id: int) -> None:
    user = staff_for_admin_or_404(actor, user_id)
    if user.active:
        raise InvalidState(gettext("This account is already active."))
    user.active = True
    audit.record("admin.reactivate", actor=actor, object_type="user", object_id=user.id)


def person_for_admin_or_404(actor: User, user_id: int) -> User:
    """Anyone of the admin's practice, staff or partner (for sign-in help only)."""
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None or user.practice_id != actor.practice_id:
        audit.record_denied("admin.user_access", actor=actor, object_type="user", object_id=user_id)
        raise NotAllowed(gettext("not found"))
    return user


_RESET_NEXT = {
    True: N_("The next time you sign in, you will set up the second step again:"),
    False: N_(
        "You can sign in with your password, and turn the second step on again from your "
        "account's security page:"
    ),
}


def reset_second_factor(actor: User, user_id: int) -> User:
    """Remove a person's second factors after the practice has checked who they are.

    Staff or partner. Their sessions end, they are emailed (no PHI), and staff enrol again at
    their next sign-in.
    """
    from therapy_portal.auth.mfa import clear_second_factor

    user = person_for_admin_or_404(actor, user_id)
    if user.id == actor.id:
        raise InvalidState(gettext("Another admin has to reset your own second step."))
    clear_second_factor(user)
    ended = revoke_user_sessions(user.id)
    audit.record(
        "admin.reset_second_factor", actor=actor, object_type="user", object_id=user.id, count=ended
    )
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with for_person(user):
        next_step = gettext(_RESET_NEXT[user.is_staff])
    queue_email_for(
        user,
        N_("Your Therapy Portal second sign-in step was reset"),
        N_(
            "Hello,\n\nAn administrator of your practice reset the second step you use to sign "
            "in (authenticator app, recovery codes and passkeys). You were signed out everywhere. "
            "%(next_step)s\n%(link)s\n\n"
            "If you did not ask for this, contact your practice straight away."
        ),
        next_step=next_step,
        link=f"{base}/login",
        kind="security",
        practice_id=user.practice_id,
    )
    return user


def end_sessions(actor: User, user_id: int) -> User:
    """Sign a person out everywhere at once; the account stays active (ASVS 7.4.5)."""
    user = person_for_admin_or_404(actor, user_id)
    if user.id == actor.id:
        raise InvalidState(gettext("To end your own other sessions, use your security page."))
    ended = revoke_user_sessions(user.id)
    audit.record(
        "admin.end_sessions", actor=actor, object_type="user", object_id=user.id, count=ended
    )
    return user


def end_all_sessions(actor: User, keep_row_id: int | None) -> int:
    """Sign everyone of the practice out at once (a suspected breach), except this session."""
    _require_admin(actor)
    people = select(User.id).where(User.practice_id == actor.practice_id)
    stmt = (
        update(UserSession)
        .where(UserSession.user_id.in_(people), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), data={})
    )
    if keep_row_id is not None:
        stmt = stmt.where(UserSession.id != keep_row_id)
    ended = db.session.execute(stmt).rowcount or 0
    audit.record(
        "admin.end_all_sessions",
        actor=actor,
        object_type="practice",
        object_id=actor.practice_id,
        count=ended,
    )
    return ended


def set_remember_device(actor: User, allowed: bool) -> None:
    """The practice's choice: may people skip the second step on a remembered device?"""
    from therapy_portal.auth.mfa import forget_practice_devices

    _require_admin(actor)
    actor.practice.remember_device_allowed = allowed
    if not allowed:
        forget_practice_devices(actor.practice_id)
    audit.record(
        "admin.practice_security",
        actor=actor,
        object_type="practice",
        object_id=actor.practice_id,
        status="remember_device_on" if allowed else "remember_device_off",
    )
