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
from sqlalchemy.orm import joinedload

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework.prompts import MODE_LABELS, prompt_type_for
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import Couple, CoupleMember, Practice
from therapy_portal.models.homework import (
    JOINT,
    Assignment,
    AssignmentStatus,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.notes.digest import DigestSection, digest_provider, record_provider

LABELS = {"A": "Partner A", "B": "Partner B", JOINT: "Joint answer"}


def _in(moment: datetime | None, since: datetime | None, until: datetime) -> bool:
    return moment is not None and (since is None or moment > since) and moment <= until


def _occurrences(couple: Couple) -> list[tuple[Occurrence, dict[str, Response]]]:
    occurrences = list(
        db.session.scalars(
            select(Occurrence)
            .where(Occurrence.couple_id == couple.id)
            .options(joinedload(Occurrence.assignment).joinedload(Assignment.version))
            .order_by(Occurrence.due_on, Occurrence.id)
        )
    )
    responses: dict[int, dict[str, Response]] = {o.id: {} for o in occurrences}
    if occurrences:
        for r in db.session.scalars(
            select(Response).where(Response.occurrence_id.in_(list(responses)))
        ):
            responses[r.occurrence_id][r.author_label] = r
    return [(o, responses[o.id]) for o in occurrences]


def _flags(occurrence: Occurrence, responses: dict[str, Response]) -> list[str]:
    a, b = responses.get("A"), responses.get("B")
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
                f"{title}: {len(result.get('only_a', []))} item(s) only partner A "
                f"named, {len(result.get('only_b', []))} only partner B named."
            )
        elif result.get("differs"):
            lines.append(f"{title}: the partners answered differently.")
    return lines


@digest_provider
def homework_digest(couple: Couple, since: datetime | None, until: datetime) -> list[DigestSection]:
    """Assigned, completed, overdue, reviewed and flagged homework between two sessions."""
    rows = _occurrences(couple)
    practice = db.session.get(Practice, couple.practice_id)
    today = practice_today(practice, until)
    assigned, completed, overdue, reviewed, flagged = [], [], [], [], []
    seen: set[int] = set()
    for occurrence, responses in rows:
        assignment = occurrence.assignment
        title = assignment.version.title
        if assignment.id not in seen and _in(assignment.created_at, since, until):
            seen.add(assignment.id)
            until_text = f" until {assignment.ends_on.isoformat()}" if assignment.ends_on else ""
            assigned.append(
                f"{title} ({MODE_LABELS[assignment.mode].lower()}, "
                f"{assignment.cadence}{until_text}), first due "
                f"{assignment.first_due_on.isoformat()}."
            )
        done = [
            LABELS[label]
            for label, r in sorted(responses.items())
            if r.status == ResponseStatus.SUBMITTED and _in(r.submitted_at, since, until)
        ]
        if done:
            completed.append(
                f"{title}, due {occurrence.due_on.isoformat()}: submitted by {', '.join(done)}."
            )
            flagged.extend(_flags(occurrence, responses))
        expected = [JOINT] if assignment.mode == "joint" else ["A", "B"]
        missing = [
            LABELS[x]
            for x in expected
            if not (responses.get(x) and responses[x].status == ResponseStatus.SUBMITTED)
        ]
        if (
            assignment.status == AssignmentStatus.ACTIVE
            and occurrence.due_on < today
            and missing
            and _due_in(occurrence.due_on, since, today)
        ):
            overdue.append(
                f"{title}, due {occurrence.due_on.isoformat()}: waiting for {', '.join(missing)}."
            )
        if _in(occurrence.reviewed_at, since, until):
            reviewed.append(f"{title}, due {occurrence.due_on.isoformat()}.")
    sections = [
        ("Homework assigned", assigned),
        ("Homework completed", completed),
        ("Homework overdue", overdue),
        ("Homework reviewed", reviewed),
        ("Answers to look at", flagged),
    ]
    return [DigestSection(title, lines) for title, lines in sections if lines]


def _due_in(due: date, since: datetime | None, today: date) -> bool:
    return since is None or due >= since.date() or due < today


@record_provider
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
    for occurrence, responses in _occurrences(couple):
        assignment = occurrence.assignment
        prompts = assignment.version.prompts
        own = responses.get(policy.response_label_for(assignment.mode, partner_label or "A"))
        for label, response in sorted(responses.items()):
            if response.answers is None:
                continue
            answers = _answers_for(viewer, partner_label, assignment, prompts, response, own)
            for prompt in prompts:
                if prompt["key"] in answers:
                    text = prompt_type_for(prompt).display(prompt, answers[prompt["key"]])
                    lines.append(
                        f"{assignment.version.title} ({occurrence.due_on.isoformat()}), "
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
