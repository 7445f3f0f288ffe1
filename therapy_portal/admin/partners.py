"""Sign-in help for partners: an admin finds a partner of the practice by their exact email.

An admin never lists partners and never sees a partner's name (docs/security.md): the person who
asks for help gives their address, the practice checks who they are, and the admin sees only
which couple's partner that is and the state of their sign-in, to reset a lost second step or
end their sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.admin.guards import require_admin as _require_admin
from therapy_portal.auth import mfa
from therapy_portal.auth.own_sessions import signed_in_sessions
from therapy_portal.auth.services import normalise_email
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, Role, User


@dataclass(frozen=True)
class PartnerFound:
    user: User
    couples: list[str]  # "Partner A of <couple's display name>"
    has_second_factor: bool
    sessions: int


def find_partner(actor: User, email: str) -> PartnerFound | None:
    """The partner of the admin's practice with exactly this email, or None. Audited."""
    _require_admin(actor)
    rows = db.session.execute(
        select(User, CoupleMember.label, Couple.display_name)
        .join(CoupleMember, CoupleMember.user_id == User.id)
        .join(Couple, Couple.id == CoupleMember.couple_id)
        .where(
            User.practice_id == actor.practice_id,
            User.role == Role.CLIENT,
            User.email == normalise_email(email),
        )
        .order_by(Couple.display_name)
    ).all()
    user = rows[0][0] if rows else None
    audit.record(
        "admin.partner_lookup",
        actor=actor,
        object_type="user",
        object_id=user.id if user else None,
        outcome="success" if user else "failure",
    )
    if user is None:
        return None
    return PartnerFound(
        user=user,
        couples=[f"Partner {label} of {name}" for _, label, name in rows],
        has_second_factor=mfa.has_second_factor(user),
        sessions=len(signed_in_sessions(user, None)),
    )
