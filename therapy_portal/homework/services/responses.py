"""The partner's side: what is due, opening a piece of homework, drafts, conflicts, submitting.

Drafts store the raw input exactly as typed (so an over-long or unfinished answer is never
lost). Every save names the draft version it started from; a stale save keeps its text as a
`DraftConflict` copy and changes nothing else. A submission carries an idempotency key: the same
key twice is one submission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import (
    MAX_DRAFT_CHARS,
    clean_fields,
    draft_size,
    refresh_counters,
    validate_answers,
)
from therapy_portal.models import User, utcnow
from therapy_portal.models.homework import (
    DraftConflict,
    Feedback,
    Occurrence,
    Response,
    ResponseStatus,
    Submission,
)

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class PartnerView:
    """Everything the answer page shows one partner, already filtered by the policy."""

    occurrence: Occurrence
    member_label: str
    response_label: str
    own: Response | None
    partner_answers: dict[str, Any]
    feedback: list[Feedback]
    conflicts: list[DraftConflict]
    blocked: str | None

    @property
    def assignment(self):
        return self.occurrence.assignment

    @property
    def prompts(self) -> list[dict[str, Any]]:
        return self.occurrence.assignment.version.prompts

    @property
    def can_edit(self) -> bool:
        return self.blocked is None


@dataclass
class SaveResult:
    response: Response
    conflict: DraftConflict | None = None
    duplicate: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        return self.conflict is None and not self.errors


def _responses(occurrence: Occurrence) -> dict[str, Response]:
    return {
        r.author_label: r
        for r in db.session.scalars(select(Response).where(Response.occurrence_id == occurrence.id))
    }


def blocked_reason(
    occurrence: Occurrence, member_label: str, own: Response | None, responses: dict[str, Response]
) -> str | None:
    """Why this partner can't change their answer now (None when they can)."""
    assignment = occurrence.assignment
    if not assignment.couple.is_active:
        return (
            "Your work with your therapist has ended, so this homework can't be changed. "
            "You can still read what you wrote."
        )
    if assignment.is_cancelled:
        return (
            "Your therapist cancelled this homework, so it can't be answered any more. "
            "Anything you wrote is kept below."
        )
    if own is not None and own.status == ResponseStatus.SUBMITTED:
        return (
            "You have submitted this, so it can't be edited. If you want to add something, "
            "ask your therapist to return it to you."
        )
    if not policy.can_answer_now(assignment.mode, member_label, responses):
        return "Partner A writes first. You can respond here once they have submitted."
    return None


def open_for_partner(actor: User, occurrence_id: int, *, audit_view: bool = True) -> PartnerView:
    """Load a piece of homework for a partner, with only what the policy lets them see."""
    occurrence, label = policy.occurrence_for_partner_or_404(actor, occurrence_id)
    assignment = occurrence.assignment
    response_label = policy.response_label_for(assignment.mode, label)
    responses = _responses(occurrence)
    own = responses.get(response_label)
    other = None if response_label == "J" else responses.get("B" if label == "A" else "A")
    partner_answers = policy.visible_answers(
        actor, label, assignment, assignment.version.prompts, other, own
    )
    if partner_answers and audit_view:
        audit.record(
            "homework.view_partner_answers",
            actor=actor,
            object_type="response",
            object_id=other.id,
            couple_id=occurrence.couple_id,
            occurrence_id=occurrence.id,
        )
    feedback = list(
        db.session.scalars(
            select(Feedback)
            .where(
                Feedback.occurrence_id == occurrence.id,
                Feedback.audience.in_(policy.feedback_audiences(label)),
            )
            .order_by(Feedback.created_at, Feedback.id)
        )
    )
    conflicts = (
        []
        if own is None
        else list(
            db.session.scalars(
                select(DraftConflict)
                .where(
                    DraftConflict.response_id == own.id,
                    DraftConflict.author_id == actor.id,
                    DraftConflict.dismissed_at.is_(None),
                )
                .order_by(DraftConflict.id)
            )
        )
    )
    return PartnerView(
        occurrence,
        label,
        response_label,
        own,
        partner_answers,
        feedback,
        conflicts,
        blocked_reason(occurrence, label, own, responses),
    )


def _own_response(actor: User, view: PartnerView) -> Response:
    if view.own is not None:
        return view.own
    response = Response(
        practice_id=view.occurrence.practice_id,
        couple_id=view.occurrence.couple_id,
        occurrence_id=view.occurrence.id,
        author_label=view.response_label,
        draft={},
        version=0,
        last_edited_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:  # another tab created it a moment ago
        response = db.session.scalar(
            select(Response).where(
                Response.occurrence_id == view.occurrence.id,
                Response.author_label == view.response_label,
            )
        )
    view.own = response
    return response


def _check_size(fields: dict[str, list[str]]) -> None:
    if draft_size(fields) > MAX_DRAFT_CHARS:
        raise ValidationFailed(
            f"That is more than the {MAX_DRAFT_CHARS:,} characters one answer can hold."
        )


def _keep_conflict(actor: User, response: Response, fields: dict, version: int) -> DraftConflict:
    conflict = DraftConflict(
        practice_id=response.practice_id,
        response_id=response.id,
        author_id=actor.id,
        fields=fields,
        based_on_version=version,
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        "homework.draft_conflict",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        version=version,
    )
    return conflict


def save_draft(actor: User, occurrence_id: int, raw_fields: Any, version: int) -> SaveResult:
    """Save the raw input as the draft. A stale ``version`` keeps the text as a conflict copy."""
    view = open_for_partner(actor, occurrence_id, audit_view=False)
    if view.blocked:
        raise InvalidState(view.blocked)
    fields = clean_fields(view.prompts, raw_fields)
    _check_size(fields)
    response = _own_response(actor, view)
    if version != response.version:
        return SaveResult(response, conflict=_keep_conflict(actor, response, fields, version))
    response.draft = fields
    response.version += 1
    response.updated_at = utcnow()
    response.last_edited_by_id = actor.id
    db.session.flush()
    return SaveResult(response)


def submit(
    actor: User, occurrence_id: int, raw_fields: Any, version: int, idempotency_key: str
) -> SaveResult:
    """Submit the answer once. A repeated key returns the earlier submission unchanged.

    Invalid answers are saved as the draft (nothing typed is lost) and returned as errors.
    """
    if not isinstance(idempotency_key, str) or not _KEY.match(idempotency_key):
        raise ValidationFailed("This form is out of date. Reload the page and submit again.")
    view = open_for_partner(actor, occurrence_id, audit_view=False)
    earlier = db.session.scalar(
        select(Submission).where(Submission.idempotency_key == idempotency_key)
    )
    if earlier is not None:
        if view.own is None or earlier.response_id != view.own.id:
            raise ValidationFailed("This form is out of date. Reload the page and submit again.")
        return SaveResult(view.own, duplicate=True)
    if view.blocked:
        raise InvalidState(view.blocked)
    fields = clean_fields(view.prompts, raw_fields)
    _check_size(fields)
    response = _own_response(actor, view)
    if version != response.version:
        return SaveResult(response, conflict=_keep_conflict(actor, response, fields, version))
    answers, errors = validate_answers(view.prompts, fields)
    response.draft = fields
    response.version += 1
    response.updated_at = utcnow()
    response.last_edited_by_id = actor.id
    if answers is None:
        db.session.flush()
        return SaveResult(response, errors=errors)
    try:
        with db.session.begin_nested():
            db.session.add(
                Submission(
                    practice_id=response.practice_id,
                    response_id=response.id,
                    idempotency_key=idempotency_key,
                    answers=answers,
                    submitted_by_id=actor.id,
                )
            )
    except IntegrityError:  # the same key raced in from a double click
        return SaveResult(response, duplicate=True)
    now = utcnow()
    response.answers = answers
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now
    response.first_submitted_at = response.first_submitted_at or now
    view.occurrence.reviewed_at = None  # new work to review
    refresh_counters(view.occurrence)
    db.session.flush()
    audit.record(
        "homework.submit",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        occurrence_id=occurrence_id,
        version=response.version,
    )
    return SaveResult(response)


def dismiss_conflict(actor: User, conflict_id: int) -> DraftConflict:
    """Put away a conflict copy once its author has taken what they need from it."""
    conflict = policy.conflict_for_partner_or_404(actor, conflict_id)
    if conflict.dismissed_at is None:
        conflict.dismissed_at = utcnow()
        audit.record(
            "homework.conflict_dismiss",
            actor=actor,
            object_type="draft_conflict",
            object_id=conflict.id,
            response_id=conflict.response_id,
        )
    return conflict
