"""What the homework vocabulary is called on a page (labels) and what a partner is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from therapy_portal.models.vocabulary import Cadence, Mode, Progress, Slot, Visibility

if TYPE_CHECKING:
    from therapy_portal.homework.services.responses import PartnerView

VISIBILITY_LABELS: dict[str, str] = {
    Visibility.THERAPIST_ONLY: "Therapist only",
    Visibility.SHARED_AFTER_BOTH: "Shared with the partner after both submit",
    Visibility.SHARED_AT_ONCE: "Shared with the partner at once",
    Visibility.RELEASED_BY_THERAPIST: "Shared when the therapist releases it",
}
#: What a partner is told before answering ("your partner will / will not see this").
VISIBILITY_NOTICES: dict[str, str] = {
    Visibility.THERAPIST_ONLY: "Only your therapist will see this answer. Your partner will not.",
    Visibility.SHARED_AFTER_BOTH: "Your partner will see this answer once you have both submitted.",
    Visibility.SHARED_AT_ONCE: "Your partner can see this answer as soon as you submit it.",
    Visibility.RELEASED_BY_THERAPIST: (
        "Your therapist may share this answer with your partner later. "
        "Until then, only your therapist sees it."
    ),
}
MODE_LABELS: dict[str, str] = {
    Mode.EACH_PARTNER: "Each partner answers separately",
    Mode.JOINT: "One joint answer",
    Mode.TURNS: "Taking turns: one writes, the other responds",
}
CADENCE_LABELS: dict[str, str] = {
    Cadence.ONCE: "Once",
    Cadence.DAILY: "Daily",
    Cadence.WEEKLY: "Weekly",
}
#: Where an answer stands, on the therapist's assignment page.
PROGRESS_LABELS: dict[str, str] = {
    Progress.NOT_STARTED: "Not started",
    Progress.DRAFT: "Draft",
    Progress.RETURNED: "Returned",
    Progress.SUBMITTED: "Submitted",
}
#: Whose answer it is, in a list of answers.
SLOT_LABELS: dict[str, str] = {Slot.A: "Partner A", Slot.B: "Partner B", Slot.JOINT: "Joint"}

#: The label dictionaries pages receive under these names.
LABELS = {
    "modes": MODE_LABELS,
    "cadences": CADENCE_LABELS,
    "visibilities": VISIBILITY_LABELS,
    "progress_labels": PROGRESS_LABELS,
    "slot_labels": SLOT_LABELS,
}

JOINT_NOTICE = (
    "This is one shared answer for the two of you: you, your partner and your "
    "therapist can all see it, and either of you can edit it."
)
RELEASED_BEFORE_NOTICE = (
    "Your therapist shared the answer you submitted before with your partner, who can still "
    "see it. What you submit now stays between you and your therapist until your therapist "
    "shares it again."
)


def answer_notice(view: PartnerView, key: str) -> str:
    """Who sees this answer, phrased from what the policy says the other partner reads now
    (`PartnerView.shared_now`)."""
    if view.is_joint:
        return JOINT_NOTICE
    visibility = view.assignment.visibility.get(key, Visibility.THERAPIST_ONLY)
    if not view.shared_now.get(key):
        return VISIBILITY_NOTICES[visibility]
    if view.own.is_submitted:
        return "Your partner can see this answer now."
    if visibility == Visibility.RELEASED_BY_THERAPIST:
        return RELEASED_BEFORE_NOTICE
    return "Your partner can see the answer you submitted before. " + VISIBILITY_NOTICES[visibility]
