"""Who sees which session.

| who                         | sees                                                             |
|-----------------------------|------------------------------------------------------------------|
| the couple's therapists     | every session of the couple (primary and co), and may change it  |
| a partner                   | the couple's joint sessions and their own one-partner sessions   |
| the other partner           | never a one-partner session of the partner: not its time, not    |
|                             | its details, not that it exists                                  |
| admins, other therapists    | nothing                                                          |

A calendar feed token stands for its owner, read-only: it reaches exactly what the owner's own
pages show, minus the details (`appointments.calendar`). Misses look like 404s and are audited.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Role, User
from therapy_portal.models.appointments import Appointment, CalendarFeed

BOTH = "both"


def appointments_for_therapist(user: User) -> Select[tuple[Appointment]]:
    """Sessions of the couples the user treats (primary or co-therapist), in their practice."""
    if user.role != Role.THERAPIST:
        return select(Appointment).where(False)
    treated = select(CoupleTherapist.couple_id).where(
        CoupleTherapist.therapist_id == user.id,
        CoupleTherapist.practice_id == user.practice_id,
    )
    return select(Appointment).where(Appointment.couple_id.in_(treated))


def own_appointments_for_therapist(user: User) -> Select[tuple[Appointment]]:
    """The sessions the user runs, of couples they still treat (the week view, Today)."""
    return appointments_for_therapist(user).where(Appointment.therapist_id == user.id)


def appointments_for_partner(user: User) -> Select[tuple[Appointment]]:
    """The couple's joint sessions and the user's own one-partner sessions."""
    if user.role != Role.CLIENT:
        return select(Appointment).where(False)
    membership = exists().where(
        CoupleMember.user_id == user.id,
        CoupleMember.practice_id == user.practice_id,
        CoupleMember.couple_id == Appointment.couple_id,
        or_(Appointment.attendees == BOTH, Appointment.attendees == CoupleMember.label),
    )
    return select(Appointment).where(membership)


def _denied(user: User, appointment_id: int) -> NotAllowed:
    audit.record_denied(
        "appointment.access", actor=user, object_type="appointment", object_id=appointment_id
    )
    return NotAllowed("not found")


def appointment_for_therapist_or_404(user: User, appointment_id: int) -> Appointment:
    """The session with its couple (partners, therapists), therapist and series loaded, or 404."""
    appointment = db.session.scalar(
        appointments_for_therapist(user)
        .where(Appointment.id == appointment_id)
        .options(
            selectinload(Appointment.couple).selectinload(Couple.members),
            selectinload(Appointment.couple).selectinload(Couple.therapists),
            joinedload(Appointment.therapist),
            selectinload(Appointment.series),
        )
    )
    if appointment is None:
        raise _denied(user, appointment_id)
    audit.reading_couple(appointment.couple_id)
    return appointment


def appointment_for_partner_or_404(user: User, appointment_id: int) -> Appointment:
    """A session the partner attends, with its therapist loaded, or 404."""
    appointment = db.session.scalar(
        appointments_for_partner(user)
        .where(Appointment.id == appointment_id)
        .options(joinedload(Appointment.therapist))
    )
    if appointment is None:
        raise _denied(user, appointment_id)
    audit.reading_couple(appointment.couple_id)
    return appointment


def attends(member: CoupleMember, appointment: Appointment) -> bool:
    """Whether this partner is one of the people the session is for."""
    return member.couple_id == appointment.couple_id and appointment.attendees in (
        BOTH,
        member.label,
    )


def attending_members(members: list[CoupleMember], appointment: Appointment) -> list[CoupleMember]:
    return [m for m in members if attends(m, appointment)]


def can_change_appointment(user: User, appointment: Appointment) -> bool:
    """Any of the couple's therapists (the loader scoped the couple) while it is scheduled."""
    return user.role == Role.THERAPIST and appointment.is_scheduled


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_owner_or_404(token: str) -> User:
    """The active person a calendar feed token belongs to; an unknown or revoked token is 404."""
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token))
    )
    owner = db.session.get(User, feed.user_id) if feed is not None else None
    if owner is None or not owner.active or owner.practice_id != feed.practice_id:
        audit.record_denied("calendar_feed.access", object_type="calendar_feed")
        raise NotAllowed("not found")
    return owner
