"""The partner's side: opening a piece of homework with only what the policy lets them see,
and putting away a conflict copy. Saving and submitting are in `drafts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.extensions import db
from therapy_portal.models import User, utcnow
from therapy_portal.models.homework import (
    DraftConflict,
    Feedback,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.models.vocabulary import Slot
from therapy_portal.policy import PartnerSeat

ALREADY_SUBMITTED = (
    "You have submitted this, so it can't be edited. If you want to add something, "
    "ask your therapist to return it to you."
)


@dataclass
class PartnerView:
    """Everything the answer page shows one partner, already filtered by the policy."""

    occurrence: Occurrence
    member_label: Slot
    response_label: Slot
    own: Response | None
    partner_answers: dict[str, Any]
    feedback: list[Feedback]
    conflicts: list[DraftConflict]
    blocked: str | None
    #: Which of this partner's own answers the other partner reads now (policy), by prompt key.
    shared_now: dict[str, bool]

    @property
    def assignment(self):
        return self.occurrence.assignment

    @property
    def prompts(self) -> list[dict[str, Any]]:
        return self.occurrence.assignment.version.prompts

    @property
    def can_edit(self) -> bool:
        return self.blocked is None

    @property
    def is_joint(self) -> bool:
        return self.response_label == Slot.JOINT

    @property
    def version(self) -> int:
        """The draft version the page's form starts from."""
        return self.own.version if self.own is not None else 0


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
    if not assignment.couple.is_active and not assignment.booster:
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
        return ALREADY_SUBMITTED
    if not policy.can_answer_now(
        assignment.mode, member_label, policy.first_has_submitted(responses)
    ):
        return "Partner A writes first. You can respond here once they have submitted."
    return None


def _open_conflicts(actor: User, own: Response | None) -> list[DraftConflict]:
    """The actor's own conflict copies of this response that they have not put away."""
    if own is None:
        return []
    return list(
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


def open_for_partner(actor: User, seat: PartnerSeat, *, audit_view: bool = True) -> PartnerView:
    """A piece of homework the policy let this partner open (`seat`), with only what the policy
    lets them see. Reading the other partner's answers is audited unless ``audit_view`` is off
    (a page shown again after a save)."""
    occurrence, label = seat
    assignment = occurrence.assignment
    response_label = policy.response_label_for(assignment.mode, label)
    responses = _responses(occurrence)
    own = responses.get(response_label)
    other = None if response_label == Slot.JOINT else responses.get(label.other)
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
    return PartnerView(
        occurrence,
        label,
        response_label,
        own,
        partner_answers,
        feedback,
        _open_conflicts(actor, own),
        blocked_reason(occurrence, label, own, responses),
        policy.shared_with_partner(assignment, assignment.version.prompts, own, other),
    )


def dismiss_conflict(actor: User, conflict: DraftConflict) -> DraftConflict:
    """Put away a conflict copy (from `policy.conflict_for_partner_or_404`) once its author has
    taken what they need from it."""
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
