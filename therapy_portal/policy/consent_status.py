"""What the therapist sees of a couple's consents: each partner's state per document, and the
online sessions still ahead whose partners' telehealth consent is no longer (or not yet) in
effect. Withdrawing never cancels a session silently; the therapist sees it flagged here and
decides (meet in person, reschedule, or cancel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.models import Couple, utcnow
from therapy_portal.models.appointments import Appointment, AppointmentStatus, Modality
from therapy_portal.models.consents import ConsentKind
from therapy_portal.policy import consents as rules

FLAGGED_LIMIT = 10


@dataclass(frozen=True)
class FlaggedSession:
    appointment_id: int
    starts_at: datetime
    lacking: list[str]  # partner labels


@dataclass(frozen=True)
class CoupleConsents:
    by_label: dict[str, list[rules.PartnerConsent]]
    flagged: list[FlaggedSession]


def for_therapist(couple: Couple, now: datetime | None = None) -> CoupleConsents:
    """Three statements whatever the couple's history: members, signatures, sessions ahead."""
    by_label = rules.couple_consents(couple)
    lacking = {
        label
        for label, items in by_label.items()
        if not any(c.kind == ConsentKind.TELEHEALTH and c.in_effect for c in items)
    }
    flagged: list[FlaggedSession] = []
    if lacking:
        rows = db.session.execute(
            select(Appointment.id, Appointment.starts_at, Appointment.attendees)
            .where(
                Appointment.couple_id == couple.id,
                Appointment.practice_id == couple.practice_id,
                Appointment.modality == Modality.ONLINE,
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.starts_at > (now or utcnow()),
            )
            .order_by(Appointment.starts_at)
            .limit(FLAGGED_LIMIT)
        ).all()
        for appointment_id, starts_at, attendees in rows:
            present = set(by_label) if attendees == "both" else {attendees}
            if missing := sorted(present & lacking):
                flagged.append(FlaggedSession(appointment_id, starts_at, missing))
    return CoupleConsents(by_label, flagged)
