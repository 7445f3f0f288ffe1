"""Use cases for a therapist's caseload: each takes the therapist and flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit, policy
from therapy_portal.auth.services import issue_invitation, normalise_email
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.mail import queue_email
from therapy_portal.models import (
    Couple,
    CoupleMember,
    CoupleStatus,
    CoupleTherapist,
    Invitation,
    Role,
    User,
    utcnow,
)
from therapy_portal.pagination import Page, keyset_page


@dataclass(frozen=True)
class PartnerInput:
    name: str
    email: str


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


def _check_email_free(email: str, field: str, *, except_user_id: int | None = None) -> None:
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.id != except_user_id:
        raise ValidationFailed(
            "This email already has an account. Each partner needs their own email address.",
            field=field,
        )


def _check_co_therapist(actor: User, co_id: int | None) -> None:
    if co_id is None:
        return
    if co_id == actor.id:
        raise ValidationFailed("You are already this couple's therapist.", field="co_therapist_id")
    co = db.session.get(User, co_id)
    if (
        co is None
        or co.practice_id != actor.practice_id
        or co.role != Role.THERAPIST
        or not co.active
    ):
        raise ValidationFailed("Choose a therapist from your practice.", field="co_therapist_id")


def _invite_partner(actor: User, couple: Couple, user: User, label: str) -> str:
    token = issue_invitation(user, created_by=actor, couple_id=couple.id, label=label)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    ttl = current_app.config["INVITATION_TTL_DAYS"]
    queue_email(
        user.email,
        "Your invitation to Therapy Portal",
        "Hello,\n\nYou have been invited to Therapy Portal, where you can do the work your "
        "therapist shares with you between sessions.\n\nChoose your password here. The link works "
        f"once and expires in {ttl} days:\n{base}/invitations/{token}",
        kind="invitation",
        practice_id=actor.practice_id,
    )
    return token


def _add_partner(actor: User, couple: Couple, partner: PartnerInput, label: str) -> User:
    user = User(
        practice_id=actor.practice_id,
        role=Role.CLIENT,
        email=normalise_email(partner.email),
        name=partner.name.strip(),
        password_hash=None,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        CoupleMember(
            practice_id=actor.practice_id, couple_id=couple.id, user_id=user.id, label=label
        )
    )
    _invite_partner(actor, couple, user, label)
    return user


def create_couple(actor: User, data: CoupleInput) -> Couple:
    """Add a couple with its first partner (and optionally the second), each invited by email."""
    if actor.role != Role.THERAPIST:
        raise policy_error()
    email_a = normalise_email(data.partner_a.email)
    _check_email_free(email_a, "partner_a_email")
    if data.partner_b is not None:
        email_b = normalise_email(data.partner_b.email)
        if email_b == email_a:
            raise ValidationFailed(
                "Each partner needs their own email address, so each has a private login.",
                field="partner_b_email",
            )
        _check_email_free(email_b, "partner_b_email")
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

    return NotAllowed("not found")


def _require_active(couple: Couple) -> None:
    if not couple.is_active:
        raise InvalidState("This couple is closed. Reopen the couple first.")


def update_couple(actor: User, couple: Couple, data: CoupleInput) -> Couple:
    """Edit names, policy and co-therapist. A partner's email changes only before they join."""
    _check_co_therapist(actor, data.co_therapist_id)
    members = {m.label: m for m in couple.members}
    couple.display_name = data.display_name.strip()
    couple.confidentiality_policy = data.confidentiality_policy
    couple.policy_agreed_on = data.policy_agreed_on
    for label, partner in (("A", data.partner_a), ("B", data.partner_b)):
        member = members.get(label)
        if member is None or partner is None:
            continue
        member.user.name = partner.name.strip()
        email = normalise_email(partner.email)
        if email != member.user.email:
            if member.user.has_password:
                raise ValidationFailed(
                    "This partner has already joined; their email can't be changed here.",
                    field=f"partner_{label.lower()}_email",
                )
            _check_email_free(
                email, f"partner_{label.lower()}_email", except_user_id=member.user_id
            )
            member.user.email = email
    _set_co_therapist(actor, couple, data.co_therapist_id)
    audit.record(
        "couple.update", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )
    return couple


def _set_co_therapist(actor: User, couple: Couple, co_id: int | None) -> None:
    current = [t for t in couple.therapists if t.role == "co"]
    if current and (co_id is None or current[0].therapist_id != co_id):
        db.session.delete(current[0])
        db.session.flush()
    if co_id and (not current or current[0].therapist_id != co_id):
        db.session.add(
            CoupleTherapist(
                practice_id=couple.practice_id, couple_id=couple.id, therapist_id=co_id, role="co"
            )
        )


def add_second_partner(actor: User, couple: Couple, partner: PartnerInput) -> User:
    _require_active(couple)
    if len(couple.members) >= 2:
        raise InvalidState("This couple already has two partners.")
    email = normalise_email(partner.email)
    if any(m.user.email == email for m in couple.members):
        raise ValidationFailed(
            "Each partner needs their own email address, so each has a private login.",
            field="email",
        )
    _check_email_free(email, "email")
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
        raise InvalidState("There is no such partner.")
    if member.user.has_password:
        raise InvalidState("This partner has already joined; they can log in with their email.")
    _invite_partner(actor, couple, member.user, label)
    audit.record(
        "invitation.resend",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        label=label,
    )


def close_couple(actor: User, couple: Couple) -> None:
    _require_active(couple)
    couple.status = CoupleStatus.CLOSED
    couple.closed_at = utcnow()
    audit.record(
        "couple.close", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )


def reopen_couple(actor: User, couple: Couple) -> None:
    if couple.is_active:
        raise InvalidState("This couple is already active.")
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


# Listing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadPage:
    couples: list[Couple]
    page: Page
    counts: dict[str, int]
    pending_invitations: dict[int, int]


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(base, q: str):
    if not q:
        return base
    pattern = _like(q.strip())
    member_match = (
        select(CoupleMember.couple_id)
        .join(User, User.id == CoupleMember.user_id)
        .where(User.name.ilike(pattern, escape="\\"))
    )
    return base.where(
        or_(Couple.display_name.ilike(pattern, escape="\\"), Couple.id.in_(member_match))
    )


def list_caseload(
    actor: User,
    *,
    q: str = "",
    status: str = "active",
    after: int | None = None,
    per_page: int | None = None,
) -> CaseloadPage:
    """One keyset page of the therapist's couples, with counts, in a fixed number of queries."""
    base = _search(policy.couples_for_therapist(actor), q)
    sub = base.subquery()
    counts_rows = db.session.execute(
        select(sub.c.status, func.count()).group_by(sub.c.status)
    ).all()
    counts = {"active": 0, "closed": 0}
    counts.update({row[0]: row[1] for row in counts_rows})
    listed = base.where(Couple.status == status) if status in ("active", "closed") else base
    page = keyset_page(
        listed,
        [func.lower(Couple.display_name)],
        Couple.id,
        after=after,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        # The list shows partner names and the viewer's role: neither needs the practice row
        # that a user's relationship would otherwise join in, nor the other therapists' users.
        options=[
            selectinload(Couple.members).joinedload(CoupleMember.user).lazyload(User.practice),
            selectinload(Couple.therapists).lazyload(CoupleTherapist.therapist),
        ],
    )
    total = counts.get(status, 0) if status in ("active", "closed") else sum(counts.values())
    page = replace(page, total=total)
    ids = [c.id for c in page.items]
    pending = (
        dict(
            db.session.execute(
                select(Invitation.couple_id, func.count())
                .where(
                    Invitation.couple_id.in_(ids),
                    Invitation.used_at.is_(None),
                    Invitation.replaced_at.is_(None),
                )
                .group_by(Invitation.couple_id)
            ).all()
        )
        if ids
        else {}
    )
    return CaseloadPage(page.items, page, counts, pending)


@dataclass(frozen=True)
class InvitationInfo:
    label: str
    joined: bool
    pending: bool
    expires_at: object | None


def invitation_status(couple: Couple) -> dict[str, InvitationInfo]:
    """Per partner label: joined yet, and whether an open invitation exists (one query)."""
    open_invites = {
        inv.user_id: inv
        for inv in db.session.scalars(
            select(Invitation).where(
                Invitation.couple_id == couple.id,
                Invitation.used_at.is_(None),
                Invitation.replaced_at.is_(None),
            )
        )
    }
    status = {}
    for member in couple.members:
        invite = open_invites.get(member.user_id)
        status[member.label] = InvitationInfo(
            label=member.label,
            joined=member.user.has_password,
            pending=invite is not None and invite.expires_at > utcnow(),
            expires_at=invite.expires_at if invite else None,
        )
    return status


@dataclass
class _CoupleFormData:
    display_name: str
    partner_a_name: str
    partner_a_email: str
    partner_b_name: str
    partner_b_email: str
    confidentiality_policy: str
    policy_agreed_on: date
    co_therapist_id: int


def form_data(couple: Couple) -> _CoupleFormData:
    members = {m.label: m.user for m in couple.members}
    co = next((t.therapist_id for t in couple.therapists if t.role == "co"), 0)
    a, b = members.get("A"), members.get("B")
    return _CoupleFormData(
        display_name=couple.display_name,
        partner_a_name=a.name if a else "",
        partner_a_email=a.email if a else "",
        partner_b_name=b.name if b else "",
        partner_b_email=b.email if b else "",
        confidentiality_policy=couple.confidentiality_policy,
        policy_agreed_on=couple.policy_agreed_on,
        co_therapist_id=co,
    )
