"""What the homework vocabulary is called on a page (labels) and what a partner is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from therapy_portal.i18n import N_, gettext, lazy_gettext
from therapy_portal.models.vocabulary import Cadence, Mode, Progress, Slot, Visibility

if TYPE_CHECKING:
    from therapy_portal.homework.services.responses import PartnerView

VISIBILITY_LABELS: dict[str, str] = {
    Visibility.THERAPIST_ONLY: lazy_gettext("Therapist only"),
    Visibility.SHARED_AFTER_BOTH: lazy_gettext("Shared with the partner after both submit"),
    Visibility.SHARED_AT_ONCE: lazy_gettext("Shared with the partner at once"),
    Visibility.RELEASED_BY_THERAPIST: lazy_gettext("Shared when the therapist releases it"),
}
#: What a partner is told before answering ("your partner will / will not see this").
VISIBILITY_NOTICES: dict[str, str] = {
    Visibility.THERAPIST_ONLY: lazy_gettext(
        "Only your therapist will see this answer. Your partner will not."
    ),
    Visibility.SHARED_AFTER_BOTH: lazy_gettext(
        "Your partner will see this answer once you have both submitted."
    ),
    Visibility.SHARED_AT_ONCE: lazy_gettext(
        "Your partner can see this answer as soon as you submit it."
    ),
    Visibility.RELEASED_BY_THERAPIST: lazy_gettext(
        "Your therapist may share this answer with your partner later. "
        "Until then, only your therapist sees it."
    ),
}
MODE_LABELS: dict[str, str] = {
    Mode.EACH_PARTNER: lazy_gettext("Each partner answers separately"),
    Mode.JOINT: lazy_gettext("One joint answer"),
    Mode.TURNS: lazy_gettext("Taking turns: one writes, the other responds"),
}
CADENCE_LABELS: dict[str, str] = {
    Cadence.ONCE: lazy_gettext("Once"),
    Cadence.DAILY: lazy_gettext("Daily"),
    Cadence.WEEKLY: lazy_gettext("Weekly"),
}
#: Where an answer stands, on the therapist's assignment page.
PROGRESS_LABELS: dict[str, str] = {
    Progress.NOT_STARTED: lazy_gettext("Not started"),
    Progress.DRAFT: lazy_gettext("Draft"),
    Progress.RETURNED: lazy_gettext("Returned"),
    Progress.SUBMITTED: lazy_gettext("Submitted"),
}
#: Whose answer it is, in a list of answers.
SLOT_LABELS: dict[str, str] = {
    Slot.A: lazy_gettext("Partner A"),
    Slot.B: lazy_gettext("Partner B"),
    Slot.JOINT: lazy_gettext("Joint"),
}

#: How often a piece of homework comes back, inside a sentence ("part 2 of a daily exercise").
CADENCE_WORDS: dict[str, str] = {
    Cadence.ONCE: N_("one-off"),
    Cadence.DAILY: N_("daily"),
    Cadence.WEEKLY: N_("weekly"),
}

#: The label dictionaries pages receive under these names.
LABELS = {
    "modes": MODE_LABELS,
    "cadences": CADENCE_LABELS,
    "visibilities": VISIBILITY_LABELS,
    "progress_labels": PROGRESS_LABELS,
    "slot_labels": SLOT_LABELS,
}

JOINT_NOTICE = N_(
    "This is one shared answer for the two of you: you, your partner and your "
    "therapist can all see it, and either of you can edit it."
)
RELEASED_BEFORE_NOTICE = N_(
    "Your therapist shared the answer you submitted before with your partner, who can still "
    "see it. What you submit now stays between you and your therapist until your therapist "
    "shares it again."
)


def answer_notice(view: PartnerView, key: str) -> str:
    """Who sees this answer, phrased from what the policy says the other partner reads now
    (`PartnerView.shared_now`)."""
    if view.is_joint:
        return gettext(JOINT_NOTICE)
    visibility = view.assignment.visibility.get(key, Visibility.THERAPIST_ONLY)
    if not view.shared_now.get(key):
        return str(VISIBILITY_NOTICES[visibility])
    if view.own.is_submitted:
        return gettext("Your partner can see this answer now.")
    if visibility == Visibility.RELEASED_BY_THERAPIST:
        return gettext(RELEASED_BEFORE_NOTICE)
    return gettext(
        "Your partner can see the answer you submitted before. %(rule)s",
        rule=VISIBILITY_NOTICES[visibility],
    )
