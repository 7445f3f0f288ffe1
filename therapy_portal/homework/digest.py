"""Homework for session notes: the *since last session* digest and the records-request section.

The digest (for the couple's therapist) lists what was assigned, completed, overdue and reviewed
in the window, and answers flagged by the prompt types' `compare` (a notable scale gap, items
only one partner named). The record provider uses the same visibility rule as every page: a
partner's copy holds their own answers, the joint ones, and what the policy lets them see of the
other partner's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework.occurrences import occurrences_with_responses
from therapy_portal.homework.prompts import prompt_type_for
from therapy_portal.homework.services.common import practice_today
from therapy_portal.homework.services.quality import QUALITY_LABELS
from therapy_portal.homework.wording import MODE_LABELS
from therapy_portal.models import Couple, CoupleMember, Practice, User
from therapy_portal.models.homework import (
    Assignment,
    AssignmentStatus,
    HomeworkRating,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.models.vocabulary import Slot
from therapy_portal.notes.digest import DigestSection
from therapy_portal.ui import dates

LABELS = {Slot.A: "Partner A", Slot.B: "Partner B", Slot.JOINT: "Joint answer"}


def _names(couple: Couple) -> dict[str, str]:
    """Who is who in a digest line: the partners' names (one query), "Joint answer" for joint."""
    rows = db.session.execute(
        select(CoupleMember.label, User.name)
        .join(User, User.id == CoupleMember.user_id)
        .where(CoupleMember.couple_id == couple.id)
    ).all()
    return {**LABELS, **{label: name for label, name in rows}}


def _in(moment: datetime | None, since: datetime | None, until: datetime) -> bool:
    return moment is not None and (since is None or moment > since) and moment <= until


def _flags(
    occurrence: Occurrence, responses: dict[str, Response], names: dict[str, str]
) -> list[str]:
    a, b = responses.get(Slot.A), responses.get(Slot.B)
    if not (a and b and a.answers is not None and b.answers is not None):
        return []
    lines = []
    for prompt in occurrence.assignment.version.prompts:
        key = prompt["key"]
        result = prompt_type_for(prompt).compare(prompt, a.answers.get(key), b.answers.get(key))
        title = f"{occurrence.assignment.version.title}, \u201c{prompt['label']}\u201d"
        if result.get("notable"):
            lines.append(f"{title}: partners differ by {result['gap']}.")
        elif result.get("only_a") or result.get("only_b"):
            lines.append(
                f"{title}: {len(result.get('only_a', []))} item(s) only {names[Slot.A]} "
                f"named, {len(result.get('only_b', []))} only {names[Slot.B]} named."
            )
        elif result.get("differs"):
            lines.append(f"{title}: the partners answered differently.")
    return lines


def _assigned_line(assignment: Assignment) -> str:
    until_text = f" until {dates.day(assignment.ends_on)}" if assignment.ends_on else ""
    return (
        f"{assignment.version.title} ({MODE_LABELS[assignment.mode].lower()}, "
        f"{assignment.cadence}{until_text}), first due {dates.day(assignment.first_due_on)}."
    )


def _submitted_by(responses: dict[str, Response], since, until, names) -> list[str]:
    return [
        names[label]
        for label, r in sorted(responses.items())
        if r.status == ResponseStatus.SUBMITTED and _in(r.submitted_at, since, until)
    ]


def _waiting_for(occurrence: Occurrence, responses: dict[str, Response], since, today, names):
    """Who has not submitted overdue homework (nobody, unless it is overdue in the window)."""
    assignment = occurrence.assignment
    if assignment.status != AssignmentStatus.ACTIVE or occurrence.due_on >= today:
        return []
    if not _due_in(occurrence.due_on, since, today):
        return []
    return [
        names[slot]
        for slot in policy.expected_slots(assignment.mode)
        if not (responses.get(slot) and responses[slot].status == ResponseStatus.SUBMITTED)
    ]


def _ratings(couple: Couple, since: datetime | None, until: datetime) -> dict[int, dict]:
    """How fully each partner did each occurrence, for ratings given in the window."""
    query = select(
        HomeworkRating.occurrence_id, HomeworkRating.partner_label, HomeworkRating.quality
    ).where(HomeworkRating.couple_id == couple.id, HomeworkRating.rated_at <= until)
    if since is not None:
        query = query.where(HomeworkRating.rated_at > since)
    rated: dict[int, dict] = {}
    for occurrence_id, label, quality in db.session.execute(query):
        rated.setdefault(occurrence_id, {})[label] = quality
    return rated


def _quality_line(title: str, due: str, rated: dict, names: dict[str, str]) -> str:
    parts = [
        f"{names.get(label, LABELS[label])} {QUALITY_LABELS[quality].lower()}"
        for label, quality in sorted(rated.items())
    ]
    return f"{title}, due {due}: {', '.join(parts)}."


def homework_digest(couple: Couple, since: datetime | None, until: datetime) -> list[DigestSection]:
    """Assigned, completed, overdue, reviewed, rated and flagged homework between two sessions."""
    today = practice_today(db.session.get(Practice, couple.practice_id), until)
    assigned, completed, overdue, reviewed, flagged, quality = [], [], [], [], [], []
    ratings = _ratings(couple, since, until)
    seen: set[int] = set()
    names = _names(couple)
    for occurrence, responses in occurrences_with_responses(couple):
        assignment = occurrence.assignment
        title, due = assignment.version.title, dates.day(occurrence.due_on)
        if assignment.id not in seen and _in(assignment.created_at, since, until):
            seen.add(assignment.id)
            assigned.append(_assigned_line(assignment))
        done = _submitted_by(responses, since, until, names)
        if done:
            completed.append(f"{title}, due {due}: submitted by {', '.join(done)}.")
            flagged.extend(_flags(occurrence, responses, names))
        missing = _waiting_for(occurrence, responses, since, today, names)
        if missing:
            overdue.append(f"{title}, due {due}: waiting for {', '.join(missing)}.")
        if _in(occurrence.reviewed_at, since, until):
            reviewed.append(f"{title}, due {due}.")
        if occurrence.id in ratings:
            quality.append(_quality_line(title, due, ratings[occurrence.id], names))
    sections = [
        ("Homework assigned", assigned),
        ("Homework completed", completed),
        ("Homework overdue", overdue),
        ("Homework reviewed", reviewed),
        ("How fully the homework was done", quality),
        ("Answers to look at", flagged),
    ]
    return [DigestSection(title, lines) for title, lines in sections if lines]


def _due_in(due: date, since: datetime | None, today: date) -> bool:
    return since is None or due >= since.date() or due < today


def homework_record(couple: Couple, partner_label: str | None) -> list[DigestSection]:
    """Submitted homework for a records request: all of it, or what one partner may see."""
    viewer = None
    if partner_label is not None:
        member = db.session.scalar(
            select(CoupleMember).where(
                CoupleMember.couple_id == couple.id, CoupleMember.label == partner_label
            )
        )
        if member is None:
            return []
        viewer = member.user
    lines: list[str] = []
    for occurrence, responses in occurrences_with_responses(couple):
        assignment = occurrence.assignment
        prompts = assignment.version.prompts
        own = responses.get(policy.response_label_for(assignment.mode, partner_label or Slot.A))
        for label, response in sorted(responses.items()):
            if response.answers is None:
                continue
            answers = _answers_for(viewer, partner_label, assignment, prompts, response, own)
            for prompt in prompts:
                if prompt["key"] in answers:
                    text = prompt_type_for(prompt).display(prompt, answers[prompt["key"]])
                    lines.append(
                        f"{assignment.version.title} ({dates.day(occurrence.due_on)}), "
                        f"{LABELS[label]}, {prompt['label']}: {text}"
                    )
    return [DigestSection("Homework answers", lines)] if lines else []


def _answers_for(
    viewer: Any,
    label: str | None,
    assignment: Assignment,
    prompts: list,
    response: Response,
    own: Response | None,
) -> dict[str, Any]:
    if viewer is None:  # the full record, released only with every partner's authorization
        return dict(response.answers or {})
    return policy.visible_answers(viewer, label, assignment, prompts, response, own)
