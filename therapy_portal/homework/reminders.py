"""Homework reminders through the outbox: "due tomorrow" and "overdue", once per occurrence
and partner (the dedupe key makes `flask send-reminders` safe to run any number of times).

The emails carry no PHI: no exercise title, no names, only a greeting and a link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from therapy_portal import reminders
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import local_today
from therapy_portal.mail import queue_email
from therapy_portal.models import Couple, CoupleMember, CoupleStatus, Practice
from therapy_portal.models.homework import (
    JOINT,
    Assignment,
    AssignmentStatus,
    Occurrence,
    Response,
    ResponseStatus,
)

DUE_SUBJECT = "Homework due tomorrow"
DUE_BODY = "Hello,\n\nYou have homework due tomorrow in Therapy Portal.\n\n{base}/home"
OVERDUE_SUBJECT = "Homework waiting for you"
OVERDUE_BODY = "Hello,\n\nYou have homework waiting in Therapy Portal.\n\n{base}/home"
#: Overdue reminders go out for homework that fell due in this many days, not for old work.
OVERDUE_WINDOW_DAYS = 7


def queue_homework_reminders(now: datetime | None = None) -> int:
    """Queue due-tomorrow and overdue reminders for partners who haven't submitted."""
    zones = dict(db.session.execute(select(Practice.id, Practice.timezone)).all())
    days = {local_today(zone, now) for zone in zones.values()} or {local_today(None, now)}
    earliest = min(days) - timedelta(days=OVERDUE_WINDOW_DAYS)
    latest = max(days) + timedelta(days=1)
    occurrences = list(
        db.session.scalars(
            select(Occurrence)
            .join(Assignment, Assignment.id == Occurrence.assignment_id)
            .join(Couple, Couple.id == Occurrence.couple_id)
            .where(
                Assignment.status == AssignmentStatus.ACTIVE,
                Couple.status == CoupleStatus.ACTIVE,
                Occurrence.due_on >= earliest,
                Occurrence.due_on <= latest,
            )
            .options(joinedload(Occurrence.assignment))
        )
    )
    if not occurrences:
        return 0
    ids = [o.id for o in occurrences]
    done = set(
        db.session.execute(
            select(Response.occurrence_id, Response.author_label).where(
                Response.occurrence_id.in_(ids), Response.status == ResponseStatus.SUBMITTED
            )
        ).all()
    )
    members: dict[int, list[CoupleMember]] = {}
    for member in db.session.scalars(
        select(CoupleMember).where(CoupleMember.couple_id.in_({o.couple_id for o in occurrences}))
    ):
        members.setdefault(member.couple_id, []).append(member)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queued = 0
    for occurrence in occurrences:
        today = local_today(zones.get(occurrence.practice_id), now)
        if occurrence.due_on == today + timedelta(days=1):
            kind, subject, body = "due", DUE_SUBJECT, DUE_BODY
        elif today - timedelta(days=OVERDUE_WINDOW_DAYS) <= occurrence.due_on < today:
            kind, subject, body = "overdue", OVERDUE_SUBJECT, OVERDUE_BODY
        else:
            continue
        joint = occurrence.assignment.mode == "joint"
        if joint and (occurrence.id, JOINT) in done:
            continue
        for member in members.get(occurrence.couple_id, []):
            user = member.user
            if not (user.active and user.has_password):
                continue
            if not joint and (occurrence.id, member.label) in done:
                continue
            email = queue_email(
                user.email,
                subject,
                body.format(base=base),
                kind=f"homework_{kind}",
                practice_id=occurrence.practice_id,
                dedupe_key=f"hw:{kind}:{occurrence.id}:{user.id}",
            )
            queued += email is not None
    db.session.flush()
    return queued


@reminders.reminder_hook
def homework_reminder_hook() -> int:
    return queue_homework_reminders()
