"""Assigning homework to a couple, and changing it afterwards: due dates, extension, cancel.

State machine of an assignment: *active* -> *cancelled* (final). Each occurrence is its own piece
of homework with its own due date, created at assignment time up to the end date. Partners' drafts
and answers are never deleted; a cancelled assignment just can't be answered any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import notify_partners, practice_today
from therapy_portal.i18n import N_, gettext
from therapy_portal.measures import goal_links
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.homework import (
    Assignment,
    AssignmentStatus,
    ExerciseVersion,
    Occurrence,
)
from therapy_portal.models.vocabulary import MODES, VISIBILITIES, Audience, Cadence

MAX_OCCURRENCES = 60
MAX_NOTE = 2000
STEP_DAYS = {Cadence.DAILY: 1, Cadence.WEEKLY: 7}
NEW_HOMEWORK_SUBJECT = N_("You have new homework")
NEW_HOMEWORK_BODY = N_("Hello,\n\nYou have new homework in Therapy Portal.\n\n%(link)s")


@dataclass(frozen=True)
class AssignInput:
    version_id: int
    mode: str
    visibility: dict[str, str]
    due_on: date
    cadence: str = Cadence.ONCE
    ends_on: date | None = None
    note: str = ""
    goal_id: int | None = None  # a goal of the couple's current treatment plan


def plan_due_dates(cadence: str, first: date, ends_on: date | None) -> list[date]:
    """Every due date of a new assignment; `ValidationFailed` for a missing or too-far end."""
    if cadence == Cadence.ONCE:
        return [first]
    if cadence not in STEP_DAYS:
        raise ValidationFailed(gettext("Choose how often it repeats."), field="cadence")
    if ends_on is None:
        raise ValidationFailed(
            gettext("Daily and weekly homework needs an end date: choose the date it runs until."),
            field="ends_on",
        )
    if ends_on < first:
        raise ValidationFailed(
            gettext("The end date must be on or after the first due date."), field="ends_on"
        )
    step = STEP_DAYS[cadence]
    count = (ends_on - first).days // step + 1
    if count > MAX_OCCURRENCES:
        raise ValidationFailed(
            f"That would make {count} pieces of homework; the most is {MAX_OCCURRENCES}. "
            "Choose an earlier end date or a weekly cadence.",
            field="ends_on",
        )
    return [first + timedelta(days=step * i) for i in range(count)]


def resolve_visibility(
    couple: Couple, version: ExerciseVersion, chosen: dict[str, str]
) -> dict[str, str]:
    """Each prompt's visibility: the therapist's choice, or the couple policy's default."""
    result = {}
    for prompt in version.prompts:
        key, template_vis = prompt["key"], prompt["visibility"]
        value = chosen.get(key) or policy.default_visibility(
            couple.confidentiality_policy, template_vis
        )
        if value not in VISIBILITIES:
            raise ValidationFailed(gettext("Choose who sees each answer."), field=f"vis_{key}")
        problem = policy.visibility_problem(couple.confidentiality_policy, template_vis, value)
        if problem:
            raise ValidationFailed(problem, field=f"vis_{key}")
        result[key] = value
    return result


def _require_open_couple(couple: Couple) -> None:
    if not couple.is_active:
        raise InvalidState(gettext("This couple is closed. Reopen the couple to assign homework."))


def _checked(actor: User, couple: Couple, version: ExerciseVersion, data: AssignInput) -> dict:
    """The per-prompt visibility, once the mode, due date and note are acceptable."""
    if data.mode not in MODES:
        raise ValidationFailed(gettext("Choose how the couple answers."), field="mode")
    problem = policy.mode_problem(couple.confidentiality_policy, version.prompts, data.mode)
    if problem:
        raise ValidationFailed(problem, field="mode")
    visibility = resolve_visibility(couple, version, data.visibility)
    if data.due_on < practice_today(actor):
        raise ValidationFailed(gettext("The due date can't be in the past."), field="due_on")
    if len(data.note) > MAX_NOTE:
        raise ValidationFailed(f"Keep the note to {MAX_NOTE:,} characters or fewer.", field="note")
    return visibility


def assign(actor: User, couple: Couple, data: AssignInput) -> Assignment:
    """Give a template version to a couple; creates every occurrence and emails each partner."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    _require_open_couple(couple)
    version = policy.version_for_therapist_or_404(actor, data.version_id)
    visibility = _checked(actor, couple, version, data)
    dates = plan_due_dates(data.cadence, data.due_on, data.ends_on)
    goal_links.check_goal(actor, couple.id, data.goal_id)
    assignment = Assignment(
        practice_id=couple.practice_id,
        couple=couple,
        version=version,
        mode=data.mode,
        visibility=visibility,
        cadence=data.cadence,
        first_due_on=dates[0],
        ends_on=data.ends_on if data.cadence != Cadence.ONCE else None,
        note=data.note.strip(),
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    _add_occurrences(assignment, dates, start=1)
    goal_links.link_new_work(actor, couple.id, data.goal_id, assignment_id=assignment.id)
    audit.record(
        "homework.assign",
        actor=actor,
        object_type="assignment",
        object_id=assignment.id,
        couple_id=couple.id,
        mode=data.mode,
        count=len(dates),
        version=version.number,
    )
    notify_partners(
        couple.id,
        couple.practice_id,
        Audience.BOTH,
        NEW_HOMEWORK_SUBJECT,
        NEW_HOMEWORK_BODY,
        kind="homework_new",
        key=f"hw:new:{assignment.id}",
    )
    return assignment


def _add_occurrences(assignment: Assignment, dates: list[date], start: int) -> None:
    db.session.add_all(
        Occurrence(
            practice_id=assignment.practice_id,
            couple_id=assignment.couple_id,
            assignment=assignment,
            sequence=start + i,
            due_on=day,
        )
        for i, day in enumerate(dates)
    )
    db.session.flush()


def _require_active(assignment: Assignment) -> None:
    if assignment.is_cancelled:
        raise InvalidState(gettext("This assignment was cancelled, so it can't be changed."))
    if not assignment.couple.is_active:
        raise InvalidState(
            gettext("This couple is closed. Reopen the couple to change its homework.")
        )


def cancel(actor: User, assignment: Assignment) -> None:
    """Cancel: partners see it as cancelled and can no longer answer; their text is kept."""
    if not policy.can_view_couple(actor, assignment.couple):
        raise NotAllowed(gettext("not found"))
    if assignment.is_cancelled:
        raise InvalidState(gettext("This assignment is already cancelled."))
    assignment.status = AssignmentStatus.CANCELLED
    assignment.cancelled_at = utcnow()
    assignment.cancelled_by_id = actor.id
    audit.record(
        "homework.cancel",
        actor=actor,
        object_type="assignment",
        object_id=assignment.id,
        couple_id=assignment.couple_id,
        from_status=AssignmentStatus.ACTIVE,
        to_status=AssignmentStatus.CANCELLED,
    )


def change_due_date(actor: User, occurrence: Occurrence, due_on: date) -> None:
    """Move one piece of homework to a new due date (not in the past)."""
    assignment = occurrence.assignment
    if not policy.can_view_couple(actor, assignment.couple):
        raise NotAllowed(gettext("not found"))
    _require_active(assignment)
    if due_on < practice_today(actor):
        raise ValidationFailed(gettext("The due date can't be in the past."), field="due_on")
    occurrence.due_on = due_on
    audit.record(
        "homework.reschedule",
        actor=actor,
        object_type="occurrence",
        object_id=occurrence.id,
        couple_id=occurrence.couple_id,
        assignment_id=assignment.id,
    )


def extend(actor: User, assignment: Assignment, ends_on: date | None) -> int:
    """Run a daily or weekly assignment until a later date; returns how many were added."""
    if not policy.can_view_couple(actor, assignment.couple):
        raise NotAllowed(gettext("not found"))
    _require_active(assignment)
    if assignment.cadence == Cadence.ONCE:
        raise InvalidState(
            gettext("One-off homework can't be extended; change its due date instead.")
        )
    if ends_on is None or assignment.ends_on is None or ends_on <= assignment.ends_on:
        raise ValidationFailed(
            gettext("Choose an end date later than the current one."), field="ends_on"
        )
    last = db.session.scalar(
        select(Occurrence)
        .where(Occurrence.assignment_id == assignment.id)
        .order_by(Occurrence.sequence.desc())
        .limit(1)
    )
    step = STEP_DAYS[assignment.cadence]
    dates = []
    day = last.due_on + timedelta(days=step)
    while day <= ends_on:
        dates.append(day)
        day += timedelta(days=step)
    if last.sequence + len(dates) > MAX_OCCURRENCES:
        raise ValidationFailed(
            f"That would make {last.sequence + len(dates)} pieces of homework; the most is "
            f"{MAX_OCCURRENCES}. Choose an earlier end date.",
            field="ends_on",
        )
    _add_occurrences(assignment, dates, start=last.sequence + 1)
    assignment.ends_on = ends_on
    audit.record(
        "homework.extend",
        actor=actor,
        object_type="assignment",
        object_id=assignment.id,
        couple_id=assignment.couple_id,
        count=len(dates),
    )
    return len(dates)
