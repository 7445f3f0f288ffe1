"""The review page and its actions: both partners side by side, feedback, mark reviewed,
return for more, release held answers. Viewing answers and every action are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework.prompts import prompt_type_for
from therapy_portal.homework.services.common import notify_partners
from therapy_portal.models import Couple, CoupleMember, User, utcnow
from therapy_portal.models.homework import (
    JOINT,
    Assignment,
    ExerciseVersion,
    Feedback,
    Occurrence,
    Response,
    ResponseStatus,
)

MAX_FEEDBACK = 5000
AUDIENCES = ("A", "B", "both")
FEEDBACK_SUBJECT = "You have something new in Therapy Portal"
FEEDBACK_BODY = "Hello,\n\nYou have something new in Therapy Portal.\n\n{base}/home"


@dataclass
class ReviewView:
    occurrence: Occurrence
    members: dict[str, CoupleMember]
    responses: dict[str, Response]
    answers: dict[str, dict[str, Any]]  # label -> visible answers
    comparisons: dict[str, dict[str, Any]]  # prompt key -> compare() result
    feedback: list[Feedback]

    @property
    def assignment(self) -> Assignment:
        return self.occurrence.assignment

    @property
    def prompts(self) -> list[dict[str, Any]]:
        return self.occurrence.assignment.version.prompts


def members_of(couple_id: int) -> dict[str, CoupleMember]:
    """The couple's partners by label (the caller has already scoped the couple)."""
    return {
        m.label: m
        for m in db.session.scalars(select(CoupleMember).where(CoupleMember.couple_id == couple_id))
    }


def review_view(actor: User, occurrence: Occurrence) -> ReviewView:
    """Both partners' submitted answers side by side, with differences; the view is audited."""
    assignment = occurrence.assignment
    members = members_of(occurrence.couple_id)
    responses = {
        r.author_label: r
        for r in db.session.scalars(select(Response).where(Response.occurrence_id == occurrence.id))
    }
    prompts = assignment.version.prompts
    answers = {
        label: policy.visible_answers(actor, None, assignment, prompts, r, None)
        for label, r in responses.items()
    }
    comparisons = {}
    if "A" in answers and "B" in answers:
        for prompt in prompts:
            key = prompt["key"]
            comparisons[key] = prompt_type_for(prompt).compare(
                prompt, answers["A"].get(key), answers["B"].get(key)
            )
    if any(answers.values()):
        audit.record(
            "homework.review_view",
            actor=actor,
            object_type="occurrence",
            object_id=occurrence.id,
            couple_id=occurrence.couple_id,
            assignment_id=assignment.id,
        )
    feedback = list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.occurrence_id == occurrence.id)
            .order_by(Feedback.created_at, Feedback.id)
        )
    )
    return ReviewView(occurrence, members, responses, answers, comparisons, feedback)


def _check_couple(actor: User, occurrence: Occurrence) -> Assignment:
    if not policy.can_view_couple(actor, db.session.get(Couple, occurrence.couple_id)):
        raise NotAllowed("not found")
    return db.session.get(Assignment, occurrence.assignment_id)


def add_feedback(
    actor: User, occurrence: Occurrence, body: str, audience: str, prompt_key: str | None = None
) -> Feedback:
    """Feedback on one prompt or the whole piece of homework, for partner A, B or both."""
    assignment = _check_couple(actor, occurrence)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write the feedback first.", field="body")
    if len(body) > MAX_FEEDBACK:
        raise ValidationFailed(
            f"Keep feedback to {MAX_FEEDBACK:,} characters or fewer.", field="body"
        )
    if audience not in AUDIENCES:
        raise ValidationFailed("Choose who the feedback is for.", field="audience")
    version = db.session.get(ExerciseVersion, assignment.version_id)
    keys = {p["key"] for p in version.prompts}
    if prompt_key and prompt_key not in keys:
        raise ValidationFailed("Choose a question from this exercise.", field="prompt_key")
    feedback = Feedback(
        practice_id=occurrence.practice_id,
        couple_id=occurrence.couple_id,
        occurrence_id=occurrence.id,
        prompt_key=prompt_key or None,
        audience=audience,
        body=body,
        author_id=actor.id,
    )
    db.session.add(feedback)
    db.session.flush()
    audit.record(
        "homework.feedback",
        actor=actor,
        object_type="feedback",
        object_id=feedback.id,
        couple_id=occurrence.couple_id,
        occurrence_id=occurrence.id,
        audience=audience,
    )
    _notify(occurrence, audience, f"hw:feedback:{feedback.id}")
    return feedback


def _notify(occurrence: Occurrence, audience: str, key: str) -> None:
    notify_partners(
        occurrence.couple_id,
        occurrence.practice_id,
        audience,
        FEEDBACK_SUBJECT,
        FEEDBACK_BODY,
        kind="homework_feedback",
        key=key,
    )


def mark_reviewed(actor: User, occurrence: Occurrence) -> None:
    _check_couple(actor, occurrence)
    if not db.session.scalar(
        select(func.count()).where(
            Response.occurrence_id == occurrence.id, Response.status == ResponseStatus.SUBMITTED
        )
    ):
        raise InvalidState("Nothing has been submitted yet, so there is nothing to review.")
    occurrence.reviewed_at = utcnow()
    occurrence.reviewed_by_id = actor.id
    audit.record(
        "homework.review",
        actor=actor,
        object_type="occurrence",
        object_id=occurrence.id,
        couple_id=occurrence.couple_id,
    )


def return_response(actor: User, response: Response, note: str) -> None:
    """Send a submitted answer back for more; its author can edit and submit again."""
    occurrence = db.session.get(Occurrence, response.occurrence_id)
    assignment = db.session.get(Assignment, occurrence.assignment_id)
    if not policy.can_view_couple(actor, db.session.get(Couple, response.couple_id)):
        raise NotAllowed("not found")
    if response.status != ResponseStatus.SUBMITTED:
        raise InvalidState("Only a submitted answer can be returned.")
    if assignment.is_cancelled:
        raise InvalidState("This assignment was cancelled, so it can't be returned.")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say what you'd like the partner to add.", field="note")
    if len(note) > MAX_FEEDBACK:
        raise ValidationFailed(
            f"Keep the note to {MAX_FEEDBACK:,} characters or fewer.", field="note"
        )
    response.status = ResponseStatus.RETURNED
    response.returned_at = utcnow()
    response.return_note = note
    occurrence.reviewed_at = None
    audit.record(
        "homework.return",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        from_status="submitted",
        to_status="returned",
    )
    label = "both" if response.author_label == JOINT else response.author_label
    _notify(occurrence, label, f"hw:return:{response.id}:{response.returned_at.timestamp():.0f}")


def release_response(actor: User, response: Response) -> None:
    """Share a response's "released by the therapist" answers, as submitted now, with the
    other partner. A later submission is not covered: it waits for its own release."""
    assignment = db.session.get(
        Assignment, db.session.get(Occurrence, response.occurrence_id).assignment_id
    )
    if not policy.can_view_couple(actor, db.session.get(Couple, response.couple_id)):
        raise NotAllowed("not found")
    if not policy.can_release(response, assignment):
        raise InvalidState("There is nothing held back to release in this answer.")
    response.released_version = response.answers_version  # the text released, no later one
    response.released_at = utcnow()
    response.released_by_id = actor.id
    audit.record(
        "homework.release",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        version=response.answers_version,
    )
