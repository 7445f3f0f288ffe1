"""Use cases for the practice admin. An admin sees no clinical content."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from therapy_portal import audit
from therapy_portal.auth import invitations
from therapy_portal.auth.services import normalise_email
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleTherapist, Role, User
from therapy_portal.sessions import revoke_user_sessions


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed("not found")


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
        raise ValidationFailed("Someone already has an account with this email.", field="email")
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
        raise InvalidState("This person has already joined.")
    invitations.send(actor, user)
    audit.record("admin.resend_invitation", actor=actor, object_type="user", object_id=user.id)


def staff_for_admin_or_404(actor: User, user_id: int) -> User:
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None or user.practice_id != actor.practice_id or user.role == Role.CLIENT:
        audit.record_denied("admin.user_access", actor=actor, object_type="user", object_id=user_id)
        raise NotAllowed("not found")
    return user


def deactivate_user(actor: User, user_id: int) -> int:
    """Deactivate a staff account; all its sessions end at once. Returns sessions ended."""
    user = staff_for_admin_or_404(actor, user_id)
    if user.id == actor.id:
        raise InvalidState("You can't deactivate your own account.")
    if not user.active:
        raise InvalidState("This account is already deactivated.")
    user.active = False
    ended = revoke_user_sessions(user.id)
    audit.record(
        "admin.deactivate", actor=actor, object_type="user", object_id=user.id, count=ended
    )
    return ended


def reactivate_user(actor: User, user_id: int) -> None:
    user = staff_for_admin_or_404(actor, user_id)
    if user.active:
        raise InvalidState("This account is already active.")
    user.active = True
    audit.record("admin.reactivate", actor=actor, object_type="user", object_id=user.id)
