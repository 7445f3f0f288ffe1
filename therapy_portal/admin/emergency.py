"""Break-glass: an admin's audited, time-limited access to one couple's record in an emergency.

The admin states a reason; access lasts `BREAK_GLASS_MINUTES` (60 by default) and can be ended
sooner. Starting it emails the couple's primary therapist (no PHI: the email says that emergency
access was opened, and the audit log says by whom). Every page read under the grant writes an
audit event naming the grant. Psychotherapy notes stay out even then: only their author reads
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.mail import queue_email_for
from therapy_portal.models import BreakGlassGrant, Couple, Role, User, utcnow
from therapy_portal.models.measures import SafetyAlert
from therapy_portal.models.notes import SessionNote

REASON_MIN, REASON_MAX = 15, 500
SUBJECT = N_("Emergency access to a record in your caseload")
BODY = N_(
    "Hello,\n\nA practice administrator opened emergency access to the record of a couple you "
    "treat. You can see who, when and what was read on the couple's page:\n%(link)s"
)


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed(gettext("not found"))


def active_grant(actor: User) -> BreakGlassGrant | None:
    """The admin's open grant, if any (the banner on every page asks this)."""
    if actor.role != Role.ADMIN:
        return None
    return db.session.scalar(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.admin_id == actor.id,
            BreakGlassGrant.ended_at.is_(None),
            BreakGlassGrant.expires_at > utcnow(),
        )
        .order_by(BreakGlassGrant.id.desc())
        .limit(1)
    )


def start(actor: User, couple_id: int, reason: str) -> BreakGlassGrant:
    """Open emergency access to one couple of the admin's practice, for a stated reason."""
    _require_admin(actor)
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationFailed(
            f"Say why you need emergency access ({REASON_MIN} to {REASON_MAX} characters).",
            field="reason",
        )
    couple = db.session.scalar(
        select(Couple)
        .where(Couple.id == couple_id, Couple.practice_id == actor.practice_id)
        .options(selectinload(Couple.therapists))
    )
    if couple is None:
        raise ValidationFailed(gettext("Choose a couple of your practice."), field="couple_id")
    minutes = current_app.config["BREAK_GLASS_MINUTES"]
    now = utcnow()
    grant = BreakGlassGrant(
        practice_id=actor.practice_id,
        admin_id=actor.id,
        couple_id=couple.id,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "break_glass.start",
        actor=actor,
        object_type="break_glass",
        object_id=grant.id,
        couple_id=couple.id,
        grant_id=grant.id,
    )
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for row in couple.therapists:
        if row.role == "primary":
            queue_email_for(
                row.therapist,
                SUBJECT,
                BODY,
                link=f"{base}/login",
                kind="break_glass",
                practice_id=couple.practice_id,
                dedupe_key=f"break_glass:{grant.id}:{row.therapist_id}",
            )
    return grant


def _grant_or_404(actor: User, grant_id: int) -> BreakGlassGrant:
    _require_admin(actor)
    grant = db.session.scalar(
        select(BreakGlassGrant).where(
            BreakGlassGrant.id == grant_id,
            BreakGlassGrant.admin_id == actor.id,
            BreakGlassGrant.practice_id == actor.practice_id,
        )
    )
    if grant is None or grant.ended_at is not None or grant.expires_at <= utcnow():
        audit.record_denied(
            "break_glass.read", actor=actor, object_type="break_glass", object_id=grant_id
        )
        raise NotAllowed(gettext("not found"))
    return grant


@dataclass(frozen=True)
class EmergencyRecord:
    grant: BreakGlassGrant
    couple: Couple
    notes: list[SessionNote]
    alerts: list[SafetyAlert]


def read_record(actor: User, grant_id: int) -> EmergencyRecord:
    """The couple's record under an open grant (no psychotherapy notes); each read audited."""
    grant = _grant_or_404(actor, grant_id)
    couple = db.session.scalar(
        select(Couple)
        .where(Couple.id == grant.couple_id)
        .options(selectinload(Couple.members), selectinload(Couple.therapists))
    )
    notes = db.session.scalars(
        select(SessionNote)
        .where(SessionNote.couple_id == couple.id)
        .order_by(SessionNote.session_date.desc(), SessionNote.id.desc())
    ).all()
    alerts = db.session.scalars(
        select(SafetyAlert)
        .where(SafetyAlert.couple_id == couple.id)
        .order_by(SafetyAlert.created_at.desc())
    ).all()
    audit.record(
        "break_glass.read",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        grant_id=grant.id,
        count=len(notes),
    )
    return EmergencyRecord(grant, couple, list(notes), list(alerts))


def end(actor: User, grant_id: int) -> None:
    grant = _grant_or_404(actor, grant_id)
    grant.ended_at = utcnow()
    audit.record(
        "break_glass.end",
        actor=actor,
        object_type="break_glass",
        object_id=grant.id,
        couple_id=grant.couple_id,
        grant_id=grant.id,
    )


def couples_of_practice(actor: User) -> list[Couple]:
    """Names and therapists only, to pick from; listing them is audited."""
    _require_admin(actor)
    couples = db.session.scalars(
        select(Couple)
        .where(Couple.practice_id == actor.practice_id)
        .options(selectinload(Couple.therapists))
        .order_by(Couple.display_name, Couple.id)
    ).all()
    audit.record("admin.couple_list", actor=actor, object_type="couple", count=len(couples))
    return list(couples)
