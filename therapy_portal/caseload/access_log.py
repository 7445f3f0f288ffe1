"""'Who has seen this record': the couple's primary therapist reads who opened the couple's
pages, answers, notes and files, from the audit log (break-glass reads included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from therapy_portal import audit, policy
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, User


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str
    events: int
    last_at: datetime
    emergency: bool


def who_has_seen(actor: User, couple: Couple) -> list[Viewer]:
    """Everyone who did anything with the couple's record, most recent first; audited."""
    if not policy.can_see_access_log(actor, couple):
        raise NotAllowed("not found")
    emergency = func.max(db.case((AuditEvent.action.like("break_glass.%"), 1), else_=0)).label(
        "emergency"
    )
    rows = db.session.execute(
        select(
            AuditEvent.actor_id,
            func.count().label("events"),
            func.max(AuditEvent.at).label("last_at"),
            emergency,
        )
        .where(
            AuditEvent.practice_id == couple.practice_id,
            AuditEvent.couple_id == couple.id,
            AuditEvent.outcome == "success",
            AuditEvent.actor_id.is_not(None),
        )
        .group_by(AuditEvent.actor_id)
    ).all()
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_([r.actor_id for r in rows])))
    }
    audit.record(
        "couple.access_log_view",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
    )
    viewers = [
        Viewer(
            people[r.actor_id].name,
            people[r.actor_id].role,
            r.events,
            r.last_at,
            bool(r.emergency),
        )
        for r in rows
        if r.actor_id in people
    ]
    return sorted(viewers, key=lambda v: v.last_at, reverse=True)
