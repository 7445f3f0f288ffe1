"""Use cases for a therapist's caseload: each takes the therapist and flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.auth import invitations
from therapy_portal.auth.services import normalise_email
from therapy_portal.caseload import care_team
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import LANGUAGES, gettext
from therapy_portal.models import (
    Couple,
    CoupleMember,
    CoupleStatus,
    CoupleTherapist,
    Role,
    User,
)


@dataclass(frozen=True)
class PartnerInput:
    name: str
    email: str
    locale: str | None = None  # "en" or "es"; empty follows their browser (User.locale)


@dataclass(frozen=True)
class CoupleInput:
    display_name: str
    partner_a: PartnerInput
    partner_b: PartnerInput | None
    confidentiality_policy: str
    policy_agreed_on: date
    co_therapist_id: int | None = None


def practice_therapists(user: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.practice_id == user.practice_id, User.role == Role.THERAPIST, User.active)
            .order_by(User.name)
        )
    )


def _check_email_free(
    actor: User, email: str, field: str, *, except_user_id: int | None = None
) -> None:
    """Refuse an address already used in the actor's practice.

    Only the actor's own practice is asked: whether another practice knows the address must not
    change the answer (the invitation email tells the address's owner what happens).
    """
    existing = db.session.scalar(
        select(User).where(User.practice_id == actor.practice_id, User.email == email)
    )
    if existing is not None and existing.id != except_user_id:
        raise ValidationFailed(
            gettext(
                "This email already has an account. Each partner needs their own email address."
            ),
            field=field,
        )


def _check_co_therapist(actor: User, co_id: int | None) -> None:
    if co_id is None:
        return
    if co_id == actor.id:
        raise ValidationFailed(
            gettext("You are already this couple's therapist."), field="co_therapist_id"
        )
    co = db.session.get(User, co_id)
    if (
        co is None
        or co.practice_id != actor.practice_id
        or co.role != Role.THERAPIST
        or not co.active
    ):
        raise ValidationFailed(
            gettext("Choose a therapist from your practice."), field="co_therapist_id"
        )


def _add_partner(actor: User, couple: Couple, partner: PartnerInput, label: str) -> User:
    user = User(
        practice_id=actor.practice_id,
        role=Role.CLIENT,
        email=normalise_email(partner.email),
        name=partner.name.strip(),
        password_hash=None,
        # Their invitation is rendered in it (i18n.for_person), and their pages until they choose.
        locale=partner.locale if partner.locale in LANGUAGES else None,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        CoupleMember(
            practice_id=actor.practice_id, couple_id=couple.id, user_id=user.id, label=label
        )
    )
    invitations.send(actor, user, couple_id=couple.id, label=label)
    return user


def create_couple(actor: User, data: CoupleInput) -> Couple:
    """Add a couple with its first partner (and optionally the second), each invited by email."""
    if actor.role != Role.THERAPIST:
        raise policy_error()
    email_a = normalise_email(data.partner_a.email)
    _check_email_free(actor, email_a, "partner_a_email")
    if data.partner_b is not None:
        email_b = normalise_email(data.partner_b.email)
        if email_b == email_a:
            raise ValidationFailed(
                gettext("Each partner needs their own email address, so each has a private login."),
                field="partner_b_email",
            )
        _check_email_free(actor, email_b, "partner_b_email")
    _check_co_therapist(actor, data.co_therapist_id)

    couple = Couple(
        practice_id=actor.practice_id,
        display_name=data.display_name.strip(),
        confidentiality_policy=data.confidentiality_policy,
        policy_agreed_on=data.policy_agreed_on,
    )
    db.session.add(couple)
    db.session.flush()
    db.session.add(
        CoupleTherapist(
            practice_id=actor.practice_id,
            couple_id=couple.id,
            therapist_id=actor.id,
            role="primary",
        )
    )
    if data.co_therapist_id:
        db.session.add(
            CoupleTherapist(
                practice_id=actor.practice_id,
                couple_id=couple.id,
                therapist_id=data.co_therapist_id,
                role="co",
            )
        )
    _add_partner(actor, couple, data.partner_a, "A")
    if data.partner_b is not None:
        _add_partner(actor, couple, data.partner_b, "B")
    audit.record(
        "couple.create", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )
    return couple


def policy_error():
    from therapy_portal.errors import NotAllowed

    return NotAllowed(gettext("not found"))


def _require_active(couple: Couple) -> None:
    if not couple.is_active:
        raise InvalidState(gettext("This couple is closed. Reopen the couple first."))


@dataclass(frozen=True)
class CoupleUpdate:
    couple: Couple
    revoked_labels: list[str]


def update_couple(actor: User, couple: Couple, data: CoupleInput) -> CoupleUpdate:
    """Edit names, policy and co-therapist. A partner's email changes only before they join.

    Changing an address revokes the partner's open invitations (the old address's link stops
    working); `revoked_labels` names those partners so the therapist can send new ones. The
    care team and the policy change only through `care_team.change` (primary therapist or admin).
    """
    members = {m.label: m for m in couple.members}
    revoked = []
    couple.display_name = data.display_name.strip()
    for label, partner in (("A", data.partner_a), ("B", data.partner_b)):
        member = members.get(label)
        if member is None or partner is None:
            continue
        member.user.name = partner.name.strip()
        email = normalise_email(partner.email)
        if email != member.user.email:
            if member.user.has_password:
                raise ValidationFailed(
                    gettext("This partner has already joined; their email can't be changed here."),
                    field=f"partner_{label.lower()}_email",
                )
            _check_email_free(
                actor, email, f"partner_{label.lower()}_email", except_user_id=member.user_id
            )
            if invitations.change_address(actor, member.user, email, couple_id=couple.id):
                revoked.append(label)
    wanted = care_team.CareTeam(
        data.co_therapist_id, data.confidentiality_policy, data.policy_agreed_on
    )
    care_team.change(actor, couple, wanted)
    audit.record(
        "couple.update", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )
    return CoupleUpdate(couple, revoked)


def add_second_partner(actor: User, couple: Couple, partner: PartnerInput) -> User:
    _require_active(couple)
    if len(couple.members) >= 2:
        raise InvalidState(gettext("This couple already has two partners."))
    email = normalise_email(partner.email)
    if any(m.user.email == email for m in couple.members):
        raise ValidationFailed(
            gettext("Each partner needs their own email address, so each has a private login."),
            field="email",
        )
    _check_email_free(actor, email, "email")
    label = "B" if couple.members and couple.members[0].label == "A" else "A"
    user = _add_partner(actor, couple, partner, label)
    audit.record(
        "couple.add_partner",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        label=label,
    )
    return user


def resend_invitation(actor: User, couple: Couple, label: str) -> None:
    _require_active(couple)
    member = next((m for m in couple.members if m.label == label), None)
    if member is None:
        raise InvalidState(gettext("There is no such partner."))
    if member.user.has_password:
        raise InvalidState(
            gettext("This partner has already joined; they can log in with their email.")
        )
    invitations.send(actor, member.user, couple_id=couple.id, label=label)
    audit.record(
        "invitation.resend",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        label=label,
    )


def reopen_couple(actor: User, couple: Couple) -> None:
    if couple.is_active:
        raise InvalidState(gettext("This couple is already active."))
    couple.status = CoupleStatus.ACTIVE
    couple.closed_at = None
    audit.record(
        "couple.reopen", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )


def view_couple(actor: User, couple_id: int) -> Couple:
    """Load a couple of the therapist's caseload and record the view."""
    couple = policy.couple_for_therapist_or_404(actor, couple_id)
    audit.record(
        "couple.view", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )
    return couple


# Closing lives in its own module (`caseload.closing`); callers keep using `services`.
from therapy_portal.caseload.closing import close_couple  # noqa: E402, F401
