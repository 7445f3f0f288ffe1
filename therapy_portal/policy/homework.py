"""Who may see which homework, and which of the other partner's answers a partner may read.

`answer_visible` is the one rule for answers: every page, JSON answer, count, digest and export
asks it (through `visible_answers`). The rules, by prompt visibility, for the *other* partner:

- ``therapist_only``: never.
- ``shared_at_once``: once the author has submitted.
- ``shared_after_both``: once both partners have submitted. In *turns* mode partner A writes
  first and B responds to what A wrote, so A's answer is shared with B once A has submitted.
- ``released_by_therapist``: once the therapist has released that response's current text. A
  release covers the submission it released: when the answer is returned and submitted again,
  the new text falls back to this rule (hidden) until the therapist releases it again.

A joint response belongs to both partners. A therapist of the couple sees every submitted
answer, never a draft. Defaults come from the couple's confidentiality policy (see
`default_visibility`): under *limited secrets* a therapist-only prompt stays therapist-only and
can't be made shared, or answered jointly; under *no secrets* it defaults to "released by the
therapist" (the couple agreed that what one partner shares may be used in joint work, and the
partner is told so before answering), and the therapist may still keep it therapist-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleMember, CoupleTherapist, Role, User
from therapy_portal.models.homework import (
    JOINT,
    Assignment,
    DraftConflict,
    Occurrence,
    Response,
)

THERAPIST_ONLY = "therapist_only"


def _deny(user: User, object_type: str, object_id: int) -> NotAllowed:
    audit.record_denied("homework.access", actor=user, object_type=object_type, object_id=object_id)
    return NotAllowed("not found")


def _treats(user: User, couple_id_column) -> Any:
    return exists().where(
        CoupleTherapist.couple_id == couple_id_column, CoupleTherapist.therapist_id == user.id
    )


# ----------------------------------------------------------------------- assignments (therapist)
def assignments_for_therapist(user: User) -> Select[tuple[Assignment]]:
    if user.role != Role.THERAPIST:
        return select(Assignment).where(False)
    return select(Assignment).where(
        Assignment.practice_id == user.practice_id, _treats(user, Assignment.couple_id)
    )


def assignment_for_therapist_or_404(user: User, assignment_id: int) -> Assignment:
    assignment = db.session.scalar(
        assignments_for_therapist(user)
        .where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.version), joinedload(Assignment.couple))
    )
    if assignment is None:
        raise _deny(user, "assignment", assignment_id)
    audit.reading_couple(assignment.couple_id)
    return assignment


def occurrences_for_therapist(user: User) -> Select[tuple[Occurrence]]:
    if user.role != Role.THERAPIST:
        return select(Occurrence).where(False)
    return select(Occurrence).where(
        Occurrence.practice_id == user.practice_id, _treats(user, Occurrence.couple_id)
    )


def _with_assignment(stmt: Select) -> Select:
    return stmt.options(
        joinedload(Occurrence.assignment).joinedload(Assignment.version),
        joinedload(Occurrence.assignment).joinedload(Assignment.couple),
    )


def occurrence_for_therapist_or_404(user: User, occurrence_id: int) -> Occurrence:
    occurrence = db.session.scalar(
        _with_assignment(occurrences_for_therapist(user).where(Occurrence.id == occurrence_id))
    )
    if occurrence is None:
        raise _deny(user, "occurrence", occurrence_id)
    audit.reading_couple(occurrence.couple_id)
    return occurrence


def homework_response_for_therapist_or_404(user: User, response_id: int) -> Response:
    response = None
    if user.role == Role.THERAPIST:
        response = db.session.scalar(
            select(Response).where(
                Response.id == response_id,
                Response.practice_id == user.practice_id,
                _treats(user, Response.couple_id),
            )
        )
    if response is None:
        raise _deny(user, "response", response_id)
    audit.reading_couple(response.couple_id)
    return response


# ----------------------------------------------------------------------------- partner side
def occurrence_for_partner_or_404(user: User, occurrence_id: int) -> tuple[Occurrence, str]:
    """The occurrence, if it belongs to the partner's couple, and the partner's label."""
    row = None
    if user.role == Role.CLIENT:
        row = db.session.execute(
            _with_assignment(
                select(Occurrence, CoupleMember.label)
                .join(CoupleMember, CoupleMember.couple_id == Occurrence.couple_id)
                .where(
                    Occurrence.id == occurrence_id,
                    Occurrence.practice_id == user.practice_id,
                    CoupleMember.user_id == user.id,
                )
            )
        ).first()
    if row is None:
        raise _deny(user, "occurrence", occurrence_id)
    audit.reading_couple(row[0].couple_id)
    return row[0], row[1]


def conflict_for_partner_or_404(user: User, conflict_id: int) -> DraftConflict:
    """A conflict copy: only the partner who typed it may see or dismiss it."""
    conflict = None
    if user.role == Role.CLIENT:
        conflict = db.session.scalar(
            select(DraftConflict).where(
                DraftConflict.id == conflict_id,
                DraftConflict.practice_id == user.practice_id,
                DraftConflict.author_id == user.id,
            )
        )
    if conflict is None:
        raise _deny(user, "draft_conflict", conflict_id)
    return conflict


def response_label_for(mode: str, member_label: str) -> str:
    """Which response a partner writes: their own, or the couple's joint one."""
    return JOINT if mode == "joint" else member_label


def can_answer_now(mode: str, member_label: str, responses: Mapping[str, Response]) -> bool:
    """In turns mode partner B responds after A has submitted; otherwise anyone may start."""
    if mode != "turns" or member_label == "A":
        return True
    first = responses.get("A")
    return first is not None and first.ever_submitted


# ----------------------------------------------------------------------------- visibility
def default_visibility(couple_policy: str, template_visibility: str) -> str:
    """The visibility an assignment starts with for a prompt, given the couple's policy."""
    if couple_policy == "no_secrets" and template_visibility == THERAPIST_ONLY:
        return "released_by_therapist"
    return template_visibility


def visibility_problem(couple_policy: str, template_visibility: str, chosen: str) -> str | None:
    """Why ``chosen`` is not allowed for a prompt (None when it is)."""
    if (
        couple_policy == "limited_secrets"
        and template_visibility == THERAPIST_ONLY
        and chosen != THERAPIST_ONLY
    ):
        return (
            "This couple's limited-secrets policy keeps private prompts for the therapist "
            "only; it can't be shared."
        )
    return None


def mode_problem(couple_policy: str, prompts: Sequence[Mapping[str, Any]], mode: str) -> str | None:
    if (
        mode == "joint"
        and couple_policy == "limited_secrets"
        and any(p.get("visibility") == THERAPIST_ONLY for p in prompts)
    ):
        return (
            "This exercise has private prompts, and the couple's limited-secrets policy keeps "
            "them private, so it can't be answered jointly. Choose each partner or turns."
        )
    return None


def answer_visible(
    viewer: User,
    viewer_label: str | None,
    mode: str,
    visibility: str,
    response: Response,
    own_response: Response | None,
) -> bool:
    """May ``viewer`` read ``response``'s answer to a prompt with this ``visibility``?

    ``viewer_label`` is the partner's label ("A"/"B"), None for a therapist (already scoped to
    the couple by a loader); ``own_response`` is the viewer's own response to the same
    occurrence (None if they have not started).
    """
    if viewer.role == Role.THERAPIST:
        return response.answers is not None
    if viewer.role != Role.CLIENT or viewer_label not in ("A", "B"):
        return False
    if response.author_label in (JOINT, viewer_label):
        return True
    return partner_reads(mode, visibility, response, own_response)


def partner_reads(
    mode: str, visibility: str, response: Response, reader_response: Response | None
) -> bool:
    """May the *other* partner read ``response``'s answer to this prompt now? (The partner half
    of `answer_visible`; ``reader_response`` is the other partner's own response.)"""
    if response.answers is None or not response.ever_submitted:
        return False
    if visibility == "shared_at_once":
        return True
    if visibility == "shared_after_both":
        if mode == "turns" and response.author_label == "A":
            return True
        return reader_response is not None and reader_response.ever_submitted
    if visibility == "released_by_therapist":
        return response.is_released
    return False


def shared_with_partner(
    assignment: Assignment,
    prompts: Sequence[Mapping[str, Any]],
    own: Response | None,
    other: Response | None,
) -> dict[str, bool]:
    """For a partner's own (not joint) response: which answers the other partner reads now, by
    prompt key, so the page can tell its author the truth at every moment."""
    if own is None or own.author_label == JOINT:
        return {}
    return {
        p["key"]: partner_reads(
            assignment.mode, assignment.visibility.get(p["key"], THERAPIST_ONLY), own, other
        )
        for p in prompts
    }


def visible_answers(
    viewer: User,
    viewer_label: str | None,
    assignment: Assignment,
    prompts: Sequence[Mapping[str, Any]],
    response: Response | None,
    own_response: Response | None,
) -> dict[str, Any]:
    """The submitted answers of ``response`` that ``viewer`` may read, by prompt key."""
    if response is None or response.answers is None:
        return {}
    return {
        p["key"]: response.answers.get(p["key"])
        for p in prompts
        if answer_visible(
            viewer,
            viewer_label,
            assignment.mode,
            assignment.visibility.get(p["key"], THERAPIST_ONLY),
            response,
            own_response,
        )
    }


def feedback_audiences(viewer_label: str) -> tuple[str, ...]:
    """Feedback a partner may read: addressed to them or to both."""
    return (viewer_label, "both")


def can_release(response: Response, assignment: Assignment) -> bool:
    """A held response can be released once submitted, if any prompt waits for release."""
    return (
        response.author_label != JOINT
        and response.ever_submitted
        and response.answers is not None
        and not response.is_released
        and "released_by_therapist" in assignment.visibility.values()
    )
