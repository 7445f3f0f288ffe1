"""The homework rules: who answers when, which of the other partner's answers a partner may read,
and where an answer stands. The scoped loaders are in `policy.homework`.

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

from therapy_portal.models import ConfidentialityPolicy, Role, User
from therapy_portal.models.homework import Assignment, Response
from therapy_portal.models.vocabulary import (
    PARTNER_SLOTS,
    Audience,
    Mode,
    Progress,
    ResponseStatus,
    Slot,
    Visibility,
)


# ----------------------------------------------------------------------------- taking turns
def response_label_for(mode: str, member_label: str) -> Slot:
    """Which response a partner writes: their own, or the couple's joint one."""
    return Slot.JOINT if mode == Mode.JOINT else Slot(member_label)


def expected_slots(mode: str) -> tuple[Slot, ...]:
    """The responses an occurrence expects: the couple's joint one, or one per partner."""
    return (Slot.JOINT,) if mode == Mode.JOINT else PARTNER_SLOTS


def writes_first(mode: str, author: str) -> bool:
    """In turns mode partner A writes first: their answer is what partner B responds to."""
    return mode == Mode.TURNS and author == Slot.A


def waits_for_first(mode: str, member_label: str) -> bool:
    """In turns mode partner B responds after partner A has submitted."""
    return mode == Mode.TURNS and member_label == Slot.B


def can_answer_now(mode: str, member_label: str, first_submitted: bool) -> bool:
    """May this partner start (or go on with) their answer? Only partner B in turns mode waits,
    until partner A has submitted (``first_submitted``)."""
    return not waits_for_first(mode, member_label) or first_submitted


def first_has_submitted(responses: Mapping[str, Response]) -> bool:
    """Has partner A ever submitted (what partner B waits for in turns mode)?"""
    first = responses.get(Slot.A)
    return first is not None and first.ever_submitted


# ----------------------------------------------------------------------------- progress
def has_started(response: Response | None) -> bool:
    """Something was written or submitted (an empty draft row is not a start)."""
    return response is not None and (
        bool(response.draft) or response.status != ResponseStatus.DRAFT
    )


def response_progress(response: Response | None) -> Progress:
    """Where a response stands, as the therapist's pages say it."""
    if not has_started(response):
        return Progress.NOT_STARTED
    return Progress(response.status)


def partner_progress(
    assignment: Assignment, member_label: str, response: Response | None, first_submitted: bool
) -> Progress:
    """Where a partner's own (or the joint) answer stands, as the partner's home says it."""
    if assignment.is_cancelled:
        return Progress.CANCELLED
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        return Progress.SUBMITTED
    if not can_answer_now(assignment.mode, member_label, first_submitted):
        return Progress.WAITING
    return response_progress(response)


# ----------------------------------------------------------------------------- visibility
def default_visibility(couple_policy: str, template_visibility: str) -> str:
    """The visibility an assignment starts with for a prompt, given the couple's policy."""
    if (
        couple_policy == ConfidentialityPolicy.NO_SECRETS
        and template_visibility == Visibility.THERAPIST_ONLY
    ):
        return Visibility.RELEASED_BY_THERAPIST
    return template_visibility


def visibility_problem(couple_policy: str, template_visibility: str, chosen: str) -> str | None:
    """Why ``chosen`` is not allowed for a prompt (None when it is)."""
    if (
        couple_policy == ConfidentialityPolicy.LIMITED_SECRETS
        and template_visibility == Visibility.THERAPIST_ONLY
        and chosen != Visibility.THERAPIST_ONLY
    ):
        return (
            "This couple's limited-secrets policy keeps private prompts for the therapist "
            "only; it can't be shared."
        )
    return None


def mode_problem(couple_policy: str, prompts: Sequence[Mapping[str, Any]], mode: str) -> str | None:
    if (
        mode == Mode.JOINT
        and couple_policy == ConfidentialityPolicy.LIMITED_SECRETS
        and any(p.get("visibility") == Visibility.THERAPIST_ONLY for p in prompts)
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
    if viewer.role != Role.CLIENT or viewer_label not in (Slot.A, Slot.B):
        return False
    if response.author_label in (Slot.JOINT, viewer_label):
        return True
    return partner_reads(mode, visibility, response, own_response)


def partner_reads(
    mode: str, visibility: str, response: Response, reader_response: Response | None
) -> bool:
    """May the *other* partner read ``response``'s answer to this prompt now? (The partner half
    of `answer_visible`; ``reader_response`` is the other partner's own response.)"""
    if response.answers is None or not response.ever_submitted:
        return False
    if visibility == Visibility.SHARED_AT_ONCE:
        return True
    if visibility == Visibility.SHARED_AFTER_BOTH:
        if writes_first(mode, response.author_label):
            return True
        return reader_response is not None and reader_response.ever_submitted
    if visibility == Visibility.RELEASED_BY_THERAPIST:
        return response.is_released
    return False


def visibility_of(assignment: Assignment, prompt_key: str) -> str:
    """The visibility fixed at assignment for a prompt (the most private if missing)."""
    return assignment.visibility.get(prompt_key, Visibility.THERAPIST_ONLY)


def shared_with_partner(
    assignment: Assignment,
    prompts: Sequence[Mapping[str, Any]],
    own: Response | None,
    other: Response | None,
) -> dict[str, bool]:
    """For a partner's own (not joint) response: which answers the other partner reads now, by
    prompt key, so the page can tell its author the truth at every moment."""
    if own is None or own.author_label == Slot.JOINT:
        return {}
    return {
        p["key"]: partner_reads(assignment.mode, visibility_of(assignment, p["key"]), own, other)
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
            visibility_of(assignment, p["key"]),
            response,
            own_response,
        )
    }


def feedback_audiences(viewer_label: str) -> tuple[str, ...]:
    """Feedback a partner may read: addressed to them or to both."""
    return (Audience(viewer_label), Audience.BOTH)


def audience_of(response: Response) -> Audience:
    """Who hears about a response: its author, or both partners for a joint answer."""
    return Audience.BOTH if response.author_label == Slot.JOINT else Audience(response.author_label)


def can_release(response: Response, assignment: Assignment) -> bool:
    """A held response can be released once submitted, if any prompt waits for release."""
    return (
        response.author_label != Slot.JOINT
        and response.ever_submitted
        and response.answers is not None
        and not response.is_released
        and Visibility.RELEASED_BY_THERAPIST in assignment.visibility.values()
    )
