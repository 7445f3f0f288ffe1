"""A goal's measurable target: what it may be, how it reads, and whether it is met.

Pure functions, no database: the service validates a target with `check_target`, pages and the
PDF word it with `describe`, and the overview decides progress with `meets`.
"""

from __future__ import annotations

from dataclasses import dataclass

from therapy_portal.errors import ValidationFailed
from therapy_portal.i18n import gettext
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.models.plans import Comparator, TargetKind, TargetWho

MISSING_TARGET = (
    "Give this goal a measurable target: an instrument, a comparison and a score, or a "
    "homework completion percentage."
)
COMPARATOR_WORDS = {Comparator.AT_LEAST: "at or above", Comparator.AT_MOST: "at or below"}
WHO_WORDS = {TargetWho.EACH: "each partner", TargetWho.A: "Partner A", TargetWho.B: "Partner B"}
KIND_WORDS = {TargetKind.MEASURE: "Check-in score", TargetKind.HOMEWORK: "Homework completion"}


@dataclass(frozen=True)
class Target:
    kind: str
    instrument: str
    comparator: str
    threshold: int | None
    who: str


def check_target(target: Target, prefix: str) -> None:
    """Refuse a target that is missing or cannot be measured; `prefix` names the goal's fields."""
    if target.kind not in tuple(TargetKind):
        raise ValidationFailed(MISSING_TARGET, field=f"{prefix}target_kind")
    if target.threshold is None:
        raise ValidationFailed(MISSING_TARGET, field=f"{prefix}threshold")
    if target.kind == TargetKind.HOMEWORK:
        if not 1 <= target.threshold <= 100:
            raise ValidationFailed(
                gettext("A homework completion target is a percentage from 1 to 100."),
                field=f"{prefix}threshold",
            )
        return
    instrument = INSTRUMENTS.get(target.instrument)
    if instrument is None:
        raise ValidationFailed(
            gettext("Choose the check-in this goal is measured by."), field=f"{prefix}instrument"
        )
    if target.comparator not in tuple(Comparator):
        raise ValidationFailed(
            gettext("Choose at or above, or at or below."), field=f"{prefix}comparator"
        )
    if target.who not in tuple(TargetWho):
        raise ValidationFailed(gettext("Choose whose score counts."), field=f"{prefix}who")
    low, high = instrument.min_total, instrument.max_total
    if not low <= target.threshold <= high:
        raise ValidationFailed(
            f"{instrument.name} scores run from {low} to {high}: choose a score in that range.",
            field=f"{prefix}threshold",
        )


def describe(kind: str, instrument: str, comparator: str, threshold: int, who: str) -> str:
    """The target in words: "CSI-4 of each partner at or above 14"."""
    if kind == TargetKind.HOMEWORK:
        return f"At least {threshold}% of the linked homework done"
    inst = INSTRUMENTS.get(instrument)
    name = inst.name if inst else instrument.upper()
    return f"{name} of {WHO_WORDS.get(who, who)} {COMPARATOR_WORDS.get(comparator, '')} {threshold}"


def meets(comparator: str, threshold: int, score: int) -> bool:
    """Whether one score meets the target (the threshold itself counts as met)."""
    if comparator == Comparator.AT_MOST:
        return score <= threshold
    return score >= threshold
