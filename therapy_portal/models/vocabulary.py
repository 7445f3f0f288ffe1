"""The homework vocabulary: the words stored in rows, as enums.

Each member's value is the string stored in the database (unchanged), so a member compares equal
to the stored text and the schema's check constraints keep meaning the same. Code, forms and
templates use the members (templates reach them through the Jinja globals in `JINJA_GLOBALS`),
never the bare strings. What each word is called on a page is in `homework/wording.py`.
"""

from __future__ import annotations

import enum


class Mode(enum.StrEnum):
    """How a couple answers an assignment."""

    EACH_PARTNER = "each_partner"
    JOINT = "joint"
    #: Partner A writes first; partner B responds once A has submitted.
    TURNS = "turns"


class Slot(enum.StrEnum):
    """Who wrote a response: partner A, partner B, or the couple's one joint answer."""

    A = "A"
    B = "B"
    JOINT = "J"

    @property
    def other(self) -> Slot:
        """The other partner's slot (a joint answer has none: it is its own)."""
        return {Slot.A: Slot.B, Slot.B: Slot.A}.get(self, self)


#: The two partners' slots, in the order pages show them.
PARTNER_SLOTS: tuple[Slot, ...] = (Slot.A, Slot.B)


class Audience(enum.StrEnum):
    """Whom a piece of feedback (or an email) is for."""

    A = "A"
    B = "B"
    BOTH = "both"


class Visibility(enum.StrEnum):
    """Who reads a prompt's answer besides its author and the therapist."""

    THERAPIST_ONLY = "therapist_only"
    SHARED_AFTER_BOTH = "shared_after_both"
    SHARED_AT_ONCE = "shared_at_once"
    RELEASED_BY_THERAPIST = "released_by_therapist"


#: Used when a prompt definition omits its visibility: the most private (deny by default).
DEFAULT_VISIBILITY = Visibility.THERAPIST_ONLY


class Cadence(enum.StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"


class AssignmentStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"


class Progress(enum.StrEnum):
    """Where one partner's (or the joint) answer to a piece of homework stands, as pages say it.

    Derived, never stored: `policy.homework_rules.progress` decides it.
    """

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    RETURNED = "returned"
    #: Turns mode: partner B waits for partner A to submit first.
    WAITING = "waiting"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


class HomeworkQuality(enum.StrEnum):
    """How fully a partner did a piece of homework, as the therapist rates it beside "reviewed".

    A four-point completion-quality rating in the style of published homework-rating scales
    (e.g. Kazantzis et al.'s Homework Rating Scale): not done, partly, fully, beyond what was asked.
    """

    NOT_DONE = "not_done"
    PARTLY = "partly"
    FULLY = "fully"
    BEYOND = "beyond"


MODES: tuple[str, ...] = tuple(Mode)
CADENCES: tuple[str, ...] = tuple(Cadence)
VISIBILITIES: tuple[str, ...] = tuple(Visibility)

JINJA_GLOBALS = {
    "Mode": Mode,
    "Slot": Slot,
    "Audience": Audience,
    "Visibility": Visibility,
    "Cadence": Cadence,
    "AssignmentStatus": AssignmentStatus,
    "ResponseStatus": ResponseStatus,
    "Progress": Progress,
    "HomeworkQuality": HomeworkQuality,
}
