"""Outcome rules: when a couple's check-ins call for the therapist's attention. Pure functions.

Three rules, each evaluated for one instrument over a couple's scored check-ins in the order
they were taken (`Point`), with the reliable-change arithmetic of `measures.change` (the
Jacobson–Truax index, Jacobson & Truax 1991, from the instrument's reference SD and reliability
in `change.DEFAULT_NORMS`, whose `source` says where each value comes from):

1. **Reliable worsening** of a partner: the partner's latest total differs from their *first*
   total (the baseline) in the worse direction with |RCI| > 1.96. Exactly at 1.96 is not
   reliable (`change.reliable_change` compares strictly).
2. **No reliable improvement after N sessions**: at least ``sessions_needed`` attended sessions
   (appointments marked attended, of the couple, from the partner's baseline check-in to now)
   and the latest total is not a reliable improvement on the baseline. A session is an attended
   appointment because the sessions area records attendance; check-ins alone would count weeks,
   not therapy.
3. **Widening gap** between the partners: take the check-in periods both partners answered
   (same schedule and period). The gap is the absolute difference of their totals. The rule
   holds when the gap of the *latest* such period exceeds the gap of the *first* by at least the
   instrument's reliable-change threshold (1.96 x S_diff, in points). Paired periods, not each
   partner's latest answer, so the two totals compared were given for the same week.

Every finding carries the numbers that triggered it (`figures`): numbers only, never answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from therapy_portal.i18n import N_, gettext
from therapy_portal.measures.change import ChangeDirection, Norm, reliable_change
from therapy_portal.measures.instruments import INSTRUMENTS
from therapy_portal.models.measures import OutcomeKind

LABELS = {
    OutcomeKind.WORSENING: N_("Reliable worsening (computed)"),
    OutcomeKind.NO_IMPROVEMENT: N_("No reliable improvement (computed)"),
    OutcomeKind.WIDENING_GAP: N_("Widening gap between the partners (computed)"),
}
HELP = (
    "Computed from the check-in totals with the reliable change index of Jacobson and Truax "
    "(1991), using the questionnaire's reference standard deviation and reliability. A change "
    "is reliable when it is larger than measurement error alone would explain (95% level)."
)


@dataclass(frozen=True, slots=True)
class Point:
    """One scored check-in (no answers): who, which period, the total, when, which row."""

    partner_id: int
    schedule_id: int
    period_index: int
    total: int
    taken_at: datetime
    response_id: int


@dataclass(frozen=True, slots=True)
class Finding:
    kind: OutcomeKind
    partner_id: int | None  # None for the couple (the gap)
    figures: dict[str, float | int]
    response_id: int  # the latest check-in the finding rests on


def threshold(instrument: str, norms: Mapping[str, Norm] | None = None) -> float:
    """Points a change must exceed to be reliable: 1.96 x S_diff of the instrument."""
    return reliable_change(0, 0, instrument=instrument, norms=norms).min_change_points


def worsening(
    points: Sequence[Point], instrument: str, norms: Mapping[str, Norm] | None = None
) -> Finding | None:
    """Rule 1 for one partner's points (oldest first)."""
    if len(points) < 2:
        return None
    first, last = points[0], points[-1]
    change = reliable_change(first.total, last.total, instrument=instrument, norms=norms)
    if change.direction != ChangeDirection.WORSENED:
        return None
    return Finding(
        OutcomeKind.WORSENING,
        last.partner_id,
        {
            "baseline": first.total,
            "latest": last.total,
            "change": last.total - first.total,
            "rci": round(change.rci or 0.0, 2),
            "needed": round(change.min_change_points, 2),
        },
        last.response_id,
    )


def no_improvement(
    points: Sequence[Point],
    instrument: str,
    sessions: int,
    sessions_needed: int,
    norms: Mapping[str, Norm] | None = None,
) -> Finding | None:
    """Rule 2 for one partner's points, given the attended sessions since their baseline."""
    if len(points) < 2 or sessions < sessions_needed:
        return None
    first, last = points[0], points[-1]
    change = reliable_change(first.total, last.total, instrument=instrument, norms=norms)
    if change.direction == ChangeDirection.IMPROVED:
        return None
    return Finding(
        OutcomeKind.NO_IMPROVEMENT,
        last.partner_id,
        {
            "baseline": first.total,
            "latest": last.total,
            "change": last.total - first.total,
            "needed": round(change.min_change_points, 2),
            "sessions": sessions,
            "after": sessions_needed,
        },
        last.response_id,
    )


def paired_gaps(points: Sequence[Point]) -> list[tuple[int, Point, Point]]:
    """(gap, point, point) for each period both partners answered, in the order taken."""
    by_period: dict[tuple[int, int], dict[int, Point]] = {}
    for point in points:
        by_period.setdefault((point.schedule_id, point.period_index), {})[point.partner_id] = point
    pairs = [tuple(p.values()) for p in by_period.values() if len(p) == 2]
    pairs.sort(key=lambda pair: max((p.taken_at, p.response_id) for p in pair))
    return [(abs(a.total - b.total), a, b) for a, b in pairs]


def widening_gap(
    points: Sequence[Point], instrument: str, norms: Mapping[str, Norm] | None = None
) -> Finding | None:
    """Rule 3 over both partners' points of one instrument."""
    gaps = paired_gaps(points)
    if len(gaps) < 2:
        return None
    (first_gap, *_), (last_gap, a, b) = gaps[0], gaps[-1]
    needed = threshold(instrument, norms)
    growth = last_gap - first_gap
    # Rounded like `reliable_change` so floating-point noise cannot move the boundary.
    if round(growth - needed, 9) < 0:
        return None
    latest = max((a, b), key=lambda p: (p.taken_at, p.response_id))
    return Finding(
        OutcomeKind.WIDENING_GAP,
        None,
        {
            "first_gap": first_gap,
            "latest_gap": last_gap,
            "growth": growth,
            "needed": round(needed, 2),
        },
        latest.response_id,
    )


def describe(kind: str, instrument: str, figures: Mapping[str, float | int]) -> str:
    """The numbers behind an alert, in a sentence a clinician reads at a glance."""
    inst = INSTRUMENTS.get(instrument)
    name = inst.name if inst else instrument.upper()
    f = {
        key: f"{abs(value) if key == 'change' else value:g}"
        for key, value in figures.items()
        if isinstance(value, int | float)
    }
    if kind == OutcomeKind.WORSENING:
        return gettext(
            "%(name)s went from %(baseline)s at the first check-in to %(latest)s "
            "(%(change)s points worse; more than %(needed)s points is reliable).",
            name=name,
            **f,
        )
    if kind == OutcomeKind.NO_IMPROVEMENT:
        return gettext(
            "%(name)s was %(baseline)s at the first check-in and is %(latest)s after "
            "%(sessions)s attended sessions (alert after %(after)s; an improvement of "
            "more than %(needed)s points would be reliable).",
            name=name,
            **f,
        )
    return gettext(
        "The partners' %(name)s totals were %(first_gap)s points apart at the first "
        "check-in both answered and are %(latest_gap)s apart now (the gap grew by "
        "%(growth)s; %(needed)s points or more counts).",
        name=name,
        **f,
    )
