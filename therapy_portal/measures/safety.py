"""Safety alerts: a PHQ-9 item-9 answer above 0 goes to the couple's therapists at once.

The alert is a row the therapist's caseload shows until acknowledged, plus a no-PHI email to each
of the couple's therapists. No partner-facing page ever queries this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from therapy_portal import audit, policy, prepared
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.i18n import N_
from therapy_portal.mail import queue_email_for
from therapy_portal.measures.instruments import SafetyFlag
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Role, User, utcnow
from therapy_portal.models.measures import MeasureResponse, SafetyAlert

ALERT_SUBJECT = N_("A client's check-in needs your attention")
ALERT_BODY = N_("Hello,\n\nA client's check-in needs your attention. Log in to review.\n\n%(link)s")
FLAG_LABELS = {
    SafetyFlag.PHQ9_ITEM9: "PHQ-9 question 9 (thoughts of being better off dead or of "
    "self-harm) was answered above 0"
}


def raise_safety_alert(
    actor: User, response: MeasureResponse, flags: tuple[str, ...] | list[str]
) -> SafetyAlert:
    """Record the alert, email every active therapist of the couple, and audit it."""
    alert = SafetyAlert(
        practice_id=response.practice_id,
        couple_id=response.couple_id,
        partner_id=response.partner_id,
        response_id=response.id,
        kind=flags[0],
    )
    db.session.add(alert)
    db.session.flush()
    therapists = db.session.scalars(
        select(User)
        .join(CoupleTherapist, CoupleTherapist.therapist_id == User.id)
        .where(CoupleTherapist.couple_id == response.couple_id, User.active)
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for therapist in therapists:
        queue_email_for(
            therapist,
            ALERT_SUBJECT,
            ALERT_BODY,
            link=f"{base}/couples",
            kind="safety_alert",
            practice_id=response.practice_id,
            dedupe_key=f"safety:{alert.id}:{therapist.id}",
        )
    audit.record(
        "safety_alert.raise",
        actor=actor,
        object_type="safety_alert",
        object_id=alert.id,
        couple_id=response.couple_id,
        kind=alert.kind,
        response_id=response.id,
        count=len(therapists),
    )
    return alert


@dataclass(frozen=True)
class AlertRow:
    """What the caseload shows for an open alert: who, which couple, when. No answers."""

    id: int
    couple_id: int
    couple_name: str
    partner_label: str
    partner_name: str
    response_id: int
    created_at: datetime
    reason: str


def open_safety_alerts(therapist: User) -> list[AlertRow]:
    """Unacknowledged alerts of the therapist's couples, oldest first (one query, built once
    per process)."""
    if therapist.role != Role.THERAPIST:
        return []
    return prepared.run(open_safety_alerts_read(therapist))


def open_safety_alerts_read(therapist: User) -> prepared.Read[list[AlertRow]]:
    """`open_safety_alerts` as a read to run with others (the therapist's only)."""
    return prepared.Read(
        prepared.statement("measures.open_safety_alerts", _open_alerts),
        prepared.params(therapist),
        _alert_rows,
    )


def _alert_rows(rows) -> list[AlertRow]:
    return [
        AlertRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], FLAG_LABELS.get(r[7], r[7]))
        for r in rows
    ]


def _open_alerts(therapist):
    return (
        policy.alerts_for_therapist(therapist)
        .where(SafetyAlert.acknowledged_at.is_(None))
        .join(Couple, Couple.id == SafetyAlert.couple_id)
        .join(User, User.id == SafetyAlert.partner_id)
        .join(
            CoupleMember,
            (CoupleMember.couple_id == SafetyAlert.couple_id)
            & (CoupleMember.user_id == SafetyAlert.partner_id),
        )
        .with_only_columns(
            SafetyAlert.id,
            SafetyAlert.couple_id,
            Couple.display_name,
            CoupleMember.label,
            User.name,
            SafetyAlert.response_id,
            SafetyAlert.created_at,
            SafetyAlert.kind,
        )
        .order_by(SafetyAlert.created_at, SafetyAlert.id)
    )


def alert_for_response(therapist: User, response_id: int) -> SafetyAlert | None:
    return db.session.scalar(
        policy.alerts_for_therapist(therapist).where(SafetyAlert.response_id == response_id)
    )


def acknowledge_alert(actor: User, alert: SafetyAlert) -> None:
    """Mark an alert as seen and handled by this therapist (audited)."""
    if alert.acknowledged_at is not None:
        raise InvalidState("This alert was already acknowledged.")
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_id = actor.id
    audit.record(
        "safety_alert.acknowledge",
        actor=actor,
        object_type="safety_alert",
        object_id=alert.id,
        couple_id=alert.couple_id,
        response_id=alert.response_id,
    )
