"""Closing a couple: its future sessions are cancelled, each partner gets a no-PHI notice, and
with the maintenance plan the check-ins (`measures.maintenance`) and booster exercises
(`homework.services.boosters`) start. Audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from therapy_portal import audit
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.homework.services import boosters
from therapy_portal.homework.services.common import notify_partners
from therapy_portal.i18n import gettext
from therapy_portal.measures.maintenance import start_maintenance_plan
from therapy_portal.models import Couple, CoupleStatus, User, utcnow
from therapy_portal.models.appointments import Appointment, AppointmentStatus
from therapy_portal.models.vocabulary import Audience
from therapy_portal.timezones import practice_today

CLOSED_SUBJECT = "Your work with your therapist has ended"
CLOSED_BODY = (
    "Hello,\n\nYour therapist has closed your file in Therapy Portal, so any upcoming "
    "sessions are cancelled. You can still sign in to read your past work.\n\n{base}/home"
)


def close_couple(
    actor: User,
    couple: Couple,
    *,
    maintenance: bool = False,
    booster_version_id: int | None = None,
) -> None:
    """Close the couple: its future sessions are cancelled and each partner gets a no-PHI
    notice. With ``maintenance``, start the maintenance check-ins and schedule the booster
    exercises (the chosen exercise, else the couple's latest homework). Audited."""
    if not couple.is_active:
        raise InvalidState(gettext("This couple is closed. Reopen the couple first."))
    couple.status = CoupleStatus.CLOSED
    couple.closed_at = utcnow()
    audit.record(
        "couple.close", actor=actor, object_type="couple", object_id=couple.id, couple_id=couple.id
    )
    _cancel_future_sessions(actor, couple, couple.closed_at)
    if maintenance:
        today = practice_today(actor)
        start_maintenance_plan(actor, couple, today)
        boosters.schedule_boosters(actor, couple, today, booster_version_id)
    notify_partners(
        couple.id,
        couple.practice_id,
        Audience.BOTH,
        CLOSED_SUBJECT,
        CLOSED_BODY,
        kind="couple_closed",
        key=f"couple:closed:{couple.id}:{int(couple.closed_at.timestamp())}",
    )


def _cancel_future_sessions(actor: User, couple: Couple, now: datetime) -> None:
    ids = list(
        db.session.scalars(
            select(Appointment.id).where(
                Appointment.couple_id == couple.id,
                Appointment.practice_id == couple.practice_id,
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.starts_at > now,
            )
        )
    )
    if not ids:
        return
    db.session.execute(
        update(Appointment)
        .where(Appointment.id.in_(ids))
        .values(status=AppointmentStatus.CANCELLED, cancelled_at=now, updated_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    audit.record(
        "appointment.cancel",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        count=len(ids),
        reason="couple_closed",
    )
