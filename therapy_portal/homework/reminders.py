"""Homework reminders through the outbox: "due tomorrow" and "overdue", once per occurrence
and partner (the dedupe key makes `flask send-reminders` safe to run any number of times).

The emails carry no PHI: no exercise title, no names, only a greeting and a link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from therapy_portal.extensions import db
from therapy_portal.homework.services.common import local_today
from therapy_portal.mail import queue_email
from therapy_portal.models import Couple, CoupleMember, CoupleStatus, Practice
from therapy_portal.models.homework import (
    Assignment,
    AssignmentStatus,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.models.vocabulary import Mode, Slot

DUE_SUBJECT = "Homework due tomorrow"
DUE_BODY = "Hello,\n\nYou have homework due tomorrow in Therapy Portal.\n\n{base}/home"
OVERDUE_SUBJECT = "Homework waiting for you"
OVERDUE_BODY = "Hello,\n\nYou have homework waiting in Therapy Portal.\n\n{base}/home"
#: Overdue reminders go out for homework that fell due in this many days, not for old work.
OVERDUE_WINDOW_DAYS = 7


def _due_around(earliest, latest) -> list[Occurrence]:
    """Active homework of active couples (and a closed couple's boosters) due in the window,
    with its assignment."""
    return list(
        db.session.scalars(
            select(Occurrence)
            .join(Assignment, Assignment.id == Occurrence.assignment_id)
            .join(Couple, Couple.id == Occurrence.couple_id)
            .where(
                Assignment.status == AssignmentStatus.ACTIVE,
                # A closed couple's booster exercises still remind (`services.boosters`).
                (Couple.status == CoupleStatus.ACTIVE) | Assignment.booster,
                Occurrence.due_on >= earliest,
                Occurrence.due_on <= latest,
            )
            .options(joinedload(Occurrence.assignment))
        )
    )


def _submitted(occurrences: list[Occurrence]) -> set[tuple[int, str]]:
    """(occurrence id, slot) of every submitted response."""
    return set(
        db.session.execute(
            select(Response.occurrence_id, Response.author_label).where(
                Response.occurrence_id.in_([o.id for o in occurrences]),
                Response.status == ResponseStatus.SUBMITTED,
            )
        ).all()
    )


def _members(occurrences: list[Occurrence]) -> dict[int, list[CoupleMember]]:
    members: dict[int, list[CoupleMember]] = {}
    for member in db.session.scalars(
        select(CoupleMember).where(CoupleMember.couple_id.in_({o.couple_id for o in occurrences}))
    ):
        members.setdefault(member.couple_id, []).append(member)
    return members


def _kind(occurrence: Occurrence, today) -> tuple[str, str, str] | None:
    """Which reminder an occurrence gets today: (kind, subject, body), or None."""
    if occurrence.due_on == today + timedelta(days=1):
        return "due", DUE_SUBJECT, DUE_BODY
    if today - timedelta(days=OVERDUE_WINDOW_DAYS) <= occurrence.due_on < today:
        return "overdue", OVERDUE_SUBJECT, OVERDUE_BODY
    return None


def _waiting(occurrence: Occurrence, members: list[CoupleMember], done: set) -> list:
    """The partners who can sign in and have not submitted (a joint answer counts for both)."""
    joint = occurrence.assignment.mode == Mode.JOINT
    if joint and (occurrence.id, Slot.JOINT) in done:
        return []
    return [
        m.user
        for m in members
        if m.user.active and m.user.has_password and (joint or (occurrence.id, m.label) not in done)
    ]


def queue_homework_reminders(now: datetime | None = None) -> int:
    """Queue due-tomorrow and overdue reminders for partners who haven't submitted."""
    zones = dict(db.session.execute(select(Practice.id, Practice.timezone)).all())
    days = {local_today(zone, now) for zone in zones.values()} or {local_today(None, now)}
    occurrences = _due_around(
        min(days) - timedelta(days=OVERDUE_WINDOW_DAYS), max(days) + timedelta(days=1)
    )
    if not occurrences:
        return 0
    done, members = _submitted(occurrences), _members(occurrences)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queued = 0
    for occurrence in occurrences:
        reminder = _kind(occurrence, local_today(zones.get(occurrence.practice_id), now))
        if reminder is None:
            continue
        kind, subject, body = reminder
        for user in _waiting(occurrence, members.get(occurrence.couple_id, []), done):
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


def homework_reminder_hook() -> int:
    return queue_homework_reminders()
