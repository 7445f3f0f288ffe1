"""Who may see which couple. Scoped queries take the acting user; misses look like 404s."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Role, User


def couples_for_therapist(user: User) -> Select[tuple[Couple]]:
    """Couples where the user is primary or co-therapist, in their practice."""
    if user.role != Role.THERAPIST:
        return select(Couple).where(False)
    return select(Couple).where(
        Couple.practice_id == user.practice_id,
        exists().where(
            CoupleTherapist.couple_id == Couple.id, CoupleTherapist.therapist_id == user.id
        ),
    )


def can_view_couple(user: User, couple: Couple) -> bool:
    if user.role != Role.THERAPIST or couple.practice_id != user.practice_id:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CoupleTherapist.couple_id == couple.id, CoupleTherapist.therapist_id == user.id
                )
            )
        )
    )


def couple_for_therapist_or_404(user: User, couple_id: int, *, eager: bool = True) -> Couple:
    stmt = couples_for_therapist(user).where(Couple.id == couple_id)
    if eager:
        stmt = stmt.options(selectinload(Couple.members), selectinload(Couple.therapists))
    couple = db.session.scalar(stmt)
    if couple is None:
        audit.record_denied("couple.access", actor=user, object_type="couple", object_id=couple_id)
        raise NotAllowed("not found")
    audit.reading_couple(couple.id)
    return couple


def membership_for_partner(user: User) -> CoupleMember | None:
    """The partner's membership (a client belongs to one couple), with the couple loaded."""
    if user.role != Role.CLIENT:
        return None
    return db.session.scalar(
        select(CoupleMember)
        .where(CoupleMember.user_id == user.id, CoupleMember.practice_id == user.practice_id)
        .options(selectinload(CoupleMember.couple))
    )


def membership_for_partner_or_404(user: User) -> CoupleMember:
    member = membership_for_partner(user)
    if member is None:
        raise NotAllowed("not found")
    audit.reading_couple(member.couple_id)
    return member


def can_manage_practice(user: User) -> bool:
    return user.role == Role.ADMIN


def can_edit_couple(user: User, couple: Couple) -> bool:
    """Primary and co-therapists may edit, close and reopen; loaders already scoped the couple."""
    return user.role == Role.THERAPIST and couple.practice_id == user.practice_id


def can_change_care_team(user: User, couple: Couple) -> bool:
    """The co-therapist and the confidentiality policy: the primary therapist or an admin."""
    if couple.practice_id != user.practice_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.THERAPIST and any(
        t.therapist_id == user.id and t.role == "primary" for t in couple.therapists
    )


def couple_for_admin_or_404(user: User, couple_id: int) -> Couple:
    """A couple of the admin's practice with its therapists: for care-team changes only."""
    couple = None
    if user.role == Role.ADMIN:
        couple = db.session.scalar(
            select(Couple)
            .where(Couple.id == couple_id, Couple.practice_id == user.practice_id)
            .options(selectinload(Couple.therapists))
        )
    if couple is None:
        audit.record_denied("couple.access", actor=user, object_type="couple", object_id=couple_id)
        raise NotAllowed("not found")
    return couple


def can_see_access_log(user: User, couple: Couple) -> bool:
    """Who has seen the couple's record: their primary therapist (admins have the audit log)."""
    return (
        user.role == Role.THERAPIST
        and couple.practice_id == user.practice_id
        and any(t.therapist_id == user.id and t.role == "primary" for t in couple.therapists)
    )
