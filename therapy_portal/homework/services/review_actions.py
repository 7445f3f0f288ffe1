"""The review page and its actions: both partners side by side, feedback, mark reviewed,
return for more, release held answers. Viewing answers and every action are audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework import fhir
from therapy_portal.homework.exercise_text import answered_in
from therapy_portal.homework.prompts import prompt_type_for
from therapy_portal.homework.services.common import notify_partners, refresh_counters
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import CoupleMember, User, utcnow
from therapy_portal.models.homework import (
    Assignment,
    Feedback,
    Occurrence,
    Response,
    ResponseStatus,
)
from therapy_portal.models.vocabulary import Audience, Progress, Slot

MAX_FEEDBACK = 5000
AUDIENCES: tuple[str, ...] = tuple(Audience)
FEEDBACK_SUBJECT = N_("You have something new in Therapy Portal")
FEEDBACK_BODY = N_("Hello,\n\nYou have something new in Therapy Portal.\n\n%(link)s")


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

    @property
    def slots(self) -> tuple[Slot, ...]:
        """The responses this occurrence expects: the joint one, or one per partner."""
        return policy.expected_slots(self.assignment.mode)

    @property
    def progress(self) -> dict[Slot, Progress]:
        return {slot: policy.response_progress(self.responses.get(slot)) for slot in self.slots}

    @property
    def has_submitted(self) -> bool:
        return any(r.is_submitted for r in self.responses.values())

    def answered_in(self, label: str) -> str | None:
        """A note such as "Answered in Spanish" when this partner reads the exercise in another
        language (their language setting now); the therapist reads the English text."""
        member, response = self.members.get(label), self.responses.get(label)
        if member is None or response is None or not response.ever_submitted:
            return None
        return answered_in(self.assignment.version, member.user)


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
    if Slot.A in answers and Slot.B in answers:
        for prompt in prompts:
            key = prompt["key"]
            comparisons[key] = prompt_type_for(prompt).compare(
                prompt, answers[Slot.A].get(key), answers[Slot.B].get(key)
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


def _treated(actor: User, occurrence: Occurrence) -> Assignment:
    """The occurrence's assignment, as its loader brought it, if the actor treats the couple.

    The objects come from a scoped loader; this asks the policy once more about the couple the
    loader joined in (no reload), so a service called with another therapist's objects refuses.
    """
    assignment = occurrence.assignment
    if not policy.can_view_couple(actor, assignment.couple):
        raise NotAllowed(gettext("not found"))
    return assignment


def add_feedback(
    actor: User, occurrence: Occurrence, body: str, audience: str, prompt_key: str | None = None
) -> Feedback:
    """Feedback on one prompt or the whole piece of homework, for partner A, B or both."""
    assignment = _treated(actor, occurrence)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(gettext("Write the feedback first."), field="body")
    if len(body) > MAX_FEEDBACK:
        raise ValidationFailed(
            f"Keep feedback to {MAX_FEEDBACK:,} characters or fewer.", field="body"
        )
    if audience not in AUDIENCES:
        raise ValidationFailed(gettext("Choose who the feedback is for."), field="audience")
    keys = {p["key"] for p in assignment.version.prompts}
    if prompt_key and prompt_key not in keys:
        raise ValidationFailed(gettext("Choose a question from this exercise."), field="prompt_key")
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
    _treated(actor, occurrence)
    if not occurrence.submitted_count:  # kept by `refresh_counters` with every status change
        raise InvalidState(
            gettext("Nothing has been submitted yet, so there is nothing to review.")
        )
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
    """Send a submitted answer back for more; its author can edit and submit again.

    ``response`` comes from `policy.homework_response_for_therapist_or_404` (with its
    occurrence and assignment)."""
    occurrence = response.occurrence
    assignment = _treated(actor, occurrence)
    if response.status != ResponseStatus.SUBMITTED:
        raise InvalidState(gettext("Only a submitted answer can be returned."))
    if assignment.is_cancelled:
        raise InvalidState(gettext("This assignment was cancelled, so it can't be returned."))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(gettext("Say what you'd like the partner to add."), field="note")
    if len(note) > MAX_FEEDBACK:
        raise ValidationFailed(
            f"Keep the note to {MAX_FEEDBACK:,} characters or fewer.", field="note"
        )
    response.status = ResponseStatus.RETURNED
    response.returned_at = utcnow()
    response.return_note = note
    occurrence.reviewed_at = None
    refresh_counters(occurrence)
    audit.record(
        "homework.return",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        from_status=ResponseStatus.SUBMITTED,
        to_status=ResponseStatus.RETURNED,
    )
    _notify(
        occurrence,
        policy.audience_of(response),
        f"hw:return:{response.id}:{response.returned_at.timestamp():.0f}",
    )


def release_response(actor: User, response: Response) -> None:
    """Share a response's "released by the therapist" answers, as submitted now, with the
    other partner. A later submission is not covered: it waits for its own release."""
    assignment = _treated(actor, response.occurrence)
    if not policy.can_release(response, assignment):
        raise InvalidState(gettext("There is nothing held back to release in this answer."))
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


def export_response(actor: User, response: Response) -> str:
    """A response as FHIR R4 QuestionnaireResponse JSON, with what the therapist may read;
    the export is audited. ``response`` comes from its scoped loader."""
    assignment = _treated(actor, response.occurrence)
    answers = policy.visible_answers(
        actor, None, assignment, assignment.version.prompts, response, None
    )
    body = json.dumps(
        fhir.questionnaire_response(assignment.version, response, answers),
        indent=2,
        ensure_ascii=False,
    )
    audit.record(
        "homework.export",
        actor=actor,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        format="fhir",
    )
    return body
