"""What the therapist's caseload pages read: the list, each partner's invitation, the edit form."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from therapy_portal import policy
from therapy_portal.auth import invitations
from therapy_portal.auth.invitation_delivery import is_open as invitation_open
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Invitation, User
from therapy_portal.pagination import Page, keyset_page


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
    """Couples whose name, or a partner's name or email, contains `q` (any case). Names and
    emails are plain columns, so the database matches them; no encrypted column is searched."""
    if not q.strip():
        return base
    pattern = _like(q.strip())
    member_match = (
        select(CoupleMember.couple_id)
        .join(User, User.id == CoupleMember.user_id)
        .where(or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))
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
        # Joined into the page's statement (2 partners x 1-2 therapists a couple): one round
        # trip instead of three, which is what a page costs most on a busy database server.
        options=[
            joinedload(Couple.members).joinedload(CoupleMember.user).lazyload(User.practice),
            joinedload(Couple.therapists).lazyload(CoupleTherapist.therapist),
        ],
    )
    total = counts.get(status, 0) if status in ("active", "closed") else sum(counts.values())
    page = replace(page, total=total)
    ids = [c.id for c in page.items]
    pending = (
        dict(
            db.session.execute(
                select(Invitation.couple_id, func.count())
                .where(Invitation.couple_id.in_(ids), invitations.open_clause())
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
            select(Invitation).where(Invitation.couple_id == couple.id, invitations.open_clause())
        )
    }
    status = {}
    for member in couple.members:
        invite = open_invites.get(member.user_id)
        status[member.label] = InvitationInfo(
            label=member.label,
            joined=member.user.has_password,
            pending=invite is not None and invitation_open(invite),
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


def primary_therapist_id(couple: Couple) -> int:
    return next(t.therapist_id for t in couple.therapists if t.role == "primary")


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
