"""Reliable and clinically significant change between two totals of one partner.

Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining
meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology,
59(1), 12–19.

    SE     = sd * sqrt(1 - r)        standard error of measurement
    S_diff = sqrt(2 * SE**2)         standard error of the difference
    RCI    = (post - pre) / S_diff   |RCI| > 1.96 means reliable change (p < .05)

No CSI-specific reliable-change value is published, so every number this module returns is
*computed* from the reference norms in :data:`DEFAULT_NORMS`. Those norms are ILLUSTRATIVE
defaults, not authoritative: a clinical lead should replace them with a reference-sample SD and
test–retest reliability (pass ``norms=`` or ``sd=``/``reliability=``).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

from .instruments import Direction, get_instrument

JT_LABEL = "reliable change (computed)"  # Jacobson–Truax; plain words on screen
FIXED_LABEL = "fixed-point convention (NHS Talking Therapies style), configurable"


class Method(enum.StrEnum):
    JACOBSON_TRUAX = "jacobson_truax"
    FIXED_POINTS = "fixed_points"


class ChangeDirection(enum.StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    NONE = "no reliable change"


@dataclass(frozen=True, slots=True)
class Norm:
    """Reference values for one instrument's total score."""

    sd: float
    reliability: float
    source: str


DEFAULT_NORMS: dict[str, Norm] = {
    # The research brief's worked illustration: SD of a small (N = 137) sample, alpha .98.
    # S_diff = 14.41 * sqrt(2 * .02) = 2.882; minimum reliable change 5.65 points.
    "csi16": Norm(14.41, 0.98, "illustration: small-sample SD 14.41, alpha .98"),
    # Illustrative: a plausible community SD for the 0-21 total with the reported alpha ~ .94.
    # S_diff = 1.559; minimum reliable change 3.06 points.
    "csi4": Norm(4.5, 0.94, "illustrative SD 4.5, alpha .94"),
    # Illustrative: item-mean SD ~ 0.7 (x 7 items = 4.9 on the 7-35 sum), alpha .86 (1988).
    # Applies to the RAS *total*. S_diff = 2.593; minimum reliable change 5.08 points.
    "ras": Norm(4.9, 0.86, "illustrative SD 4.9 (sum), alpha .86"),
    # Illustrative: chosen so the computed threshold (5.51) rounds to the 6-point convention.
    "phq9": Norm(6.0, 0.89, "illustrative SD 6.0, alpha .89"),
    # Illustrative: chosen so the computed threshold (3.92) rounds to the 4-point convention.
    "gad7": Norm(5.0, 0.92, "illustrative SD 5.0, alpha .92"),
}

# Alternative method: a change of at least this many points counts as reliable.
FIXED_POINTS: dict[str, int] = {"phq9": 6, "gad7": 4}

Z_CRITICAL = 1.96


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """Outcome of a reliable-change check. ``rci``/``s_diff`` are None for fixed points."""

    pre: float
    post: float
    change: float
    rci: float | None
    s_diff: float | None
    min_change_points: float
    reliable: bool
    direction: ChangeDirection
    method: Method
    label: str


def reliable_change(
    pre: float,
    post: float,
    sd: float | None = None,
    reliability: float | None = None,
    *,
    instrument: str | None = None,
    norms: Mapping[str, Norm] | None = None,
    method: Method = Method.JACOBSON_TRUAX,
    fixed_points: Mapping[str, int] | None = None,
    direction: Direction | None = None,
) -> ReliableChange:
    """Decide whether ``post - pre`` is a reliable change.

    ``sd`` and ``reliability`` default to the instrument's entry in ``norms`` (default
    :data:`DEFAULT_NORMS`, illustrative and configurable). The direction of "better" comes from
    the instrument when one is given, else from ``direction``, else higher is assumed better.
    ``method="fixed_points"`` uses a fixed point threshold instead (``fixed_points``, default
    :data:`FIXED_POINTS`: PHQ-9 6, GAD-7 4), and then ``rci`` and ``s_diff`` are None.
    """
    if direction is None:
        direction = (
            get_instrument(instrument).direction if instrument else Direction.HIGHER_IS_BETTER
        )
    change = post - pre
    if method == Method.FIXED_POINTS:
        points = (fixed_points if fixed_points is not None else FIXED_POINTS).get(instrument or "")
        if points is None:
            raise ValueError(f"no fixed-point threshold for instrument: {instrument!r}")
        reliable = abs(change) >= points
        verdict = _direction(change, reliable, direction)
        return ReliableChange(
            pre, post, change, None, None, float(points), reliable, verdict, method, FIXED_LABEL
        )
    if method != Method.JACOBSON_TRUAX:
        raise ValueError(f"unknown method: {method!r}")
    sd, reliability = _norm(instrument, norms, sd, reliability)
    s_diff = math.sqrt(2 * (sd * math.sqrt(1 - reliability)) ** 2)
    rci = change / s_diff
    # Compare at 9 dp so floating-point noise cannot flip an RCI of exactly 1.96 either way.
    reliable = round(abs(rci), 9) > Z_CRITICAL
    verdict = _direction(change, reliable, direction)
    return ReliableChange(
        pre, post, change, rci, s_diff, Z_CRITICAL * s_diff, reliable, verdict, method, JT_LABEL
    )


def _norm(
    instrument: str | None,
    norms: Mapping[str, Norm] | None,
    sd: float | None,
    reliability: float | None,
) -> tuple[float, float]:
    """The SD and reliability to use: as given, else the instrument's reference norms."""
    if sd is None or reliability is None:
        table = norms if norms is not None else DEFAULT_NORMS
        if instrument not in table:
            raise ValueError(f"no reference norms for instrument: {instrument!r}")
        norm = table[instrument]
        sd = norm.sd if sd is None else sd
        reliability = norm.reliability if reliability is None else reliability
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError("sd must be positive and reliability in [0, 1)")
    return sd, reliability


def clinically_significant(
    pre: float, post: float, instrument: str, *, norms: Mapping[str, Norm] | None = None
) -> bool:
    """True when a CSI total moved reliably upward *and* crossed the distress cut-off.

    Jacobson–Truax criterion: reliable improvement, ``pre`` below the cut-off (distressed) and
    ``post`` at or above it. Only instruments with a distress cut-off (CSI-4, CSI-16) qualify.
    """
    inst = get_instrument(instrument)
    if inst.cutoff is None or inst.direction != Direction.HIGHER_IS_BETTER:
        raise ValueError(f"{instrument} has no distress cut-off for clinical significance")
    rc = reliable_change(pre, post, instrument=instrument, norms=norms)
    return rc.direction == ChangeDirection.IMPROVED and pre < inst.cutoff <= post


def _direction(change: float, reliable: bool, direction: Direction) -> ChangeDirection:
    if not reliable or change == 0:
        return ChangeDirection.NONE
    better = change > 0 if direction == Direction.HIGHER_IS_BETTER else change < 0
    return ChangeDirection.IMPROVED if better else ChangeDirection.WORSENED
