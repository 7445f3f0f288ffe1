"""The outcome rules as pure functions, at their boundaries: exactly at, one below, one above."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from therapy_portal.measures import outcomes
from therapy_portal.measures.change import Norm
from therapy_portal.models.measures import OutcomeKind

# S_diff = sd * sqrt(2 * (1 - .5)) = sd, so the reliable-change threshold is exactly 3 points.
EXACT = {"csi4": Norm(3 / 1.96, 0.5, "test norms: threshold exactly 3 points")}
T0 = datetime(2026, 1, 5, 12, tzinfo=UTC)


def _series(partner: int, totals: list[int], start_id: int = 1) -> list[outcomes.Point]:
    return [
        outcomes.Point(partner, 1, i, total, T0 + timedelta(weeks=i, hours=partner), start_id + i)
        for i, total in enumerate(totals)
    ]


def test_exact_norms_give_a_three_point_threshold():
    assert outcomes.threshold("csi4", EXACT) == pytest.approx(3.0)


@pytest.mark.parametrize(("latest", "alerts"), [(13, False), (12, False), (11, True)])
def test_worsening_needs_more_than_the_threshold(latest, alerts):
    # 15 -> 12 is exactly at the threshold (RCI = -1.96): not reliable; 11 is one point past it.
    finding = outcomes.worsening(_series(7, [15, 14, latest]), "csi4", EXACT)
    assert (finding is not None) is alerts
    if finding:
        assert finding.kind == OutcomeKind.WORSENING and finding.partner_id == 7
        assert finding.figures == {
            "baseline": 15,
            "latest": 11,
            "change": -4,
            "rci": -2.61,
            "needed": 3.0,
        }
        assert finding.response_id == 3


def test_improvement_is_never_worsening_and_phq9_direction_is_reversed():
    assert outcomes.worsening(_series(7, [10, 20]), "csi4") is None
    # PHQ-9: higher is worse, so 4 -> 14 is a reliable worsening (threshold 5.51).
    assert outcomes.worsening(_series(7, [4, 14]), "phq9").kind == OutcomeKind.WORSENING
    assert outcomes.worsening(_series(7, [4]), "csi4") is None


@pytest.mark.parametrize(("sessions", "alerts"), [(7, False), (8, True), (9, True)])
def test_no_improvement_after_n_sessions(sessions, alerts):
    finding = outcomes.no_improvement(_series(7, [10, 12]), "csi4", sessions, 8, EXACT)
    assert (finding is not None) is alerts
    if finding:
        assert finding.figures["sessions"] == sessions and finding.figures["after"] == 8


@pytest.mark.parametrize(("latest", "alerts"), [(12, True), (13, True), (14, False)])
def test_no_improvement_clears_only_with_a_reliable_improvement(latest, alerts):
    # 10 -> 13 is exactly 3 points: not reliable, so "no reliable improvement" still holds.
    finding = outcomes.no_improvement(_series(7, [10, latest]), "csi4", 8, 8, EXACT)
    assert (finding is not None) is alerts


@pytest.mark.parametrize(("latest_gap", "alerts"), [(3, False), (4, True), (5, True)])
def test_widening_gap_grows_by_at_least_the_threshold(latest_gap, alerts):
    # The first paired gap is |15 - 14| = 1; it grows by 2 (below), 3 (exactly at), 4 (above).
    a = _series(1, [15, 15, 15])
    b = _series(2, [14, 14, 15 - latest_gap], start_id=10)
    finding = outcomes.widening_gap(a + b, "csi4", EXACT)
    assert (finding is not None) is alerts
    if finding:
        assert finding.partner_id is None and finding.response_id == 12
        assert finding.figures == {
            "first_gap": 1,
            "latest_gap": latest_gap,
            "growth": latest_gap - 1,
            "needed": 3.0,
        }


def test_gap_uses_periods_both_partners_answered():
    a = _series(1, [15, 15, 15])
    b = _series(2, [14], start_id=10)  # B answered only the first period
    assert outcomes.widening_gap(a + b, "csi4", EXACT) is None


def test_descriptions_carry_the_numbers():
    text = outcomes.describe(
        OutcomeKind.WORSENING,
        "csi4",
        {"baseline": 15, "latest": 9, "change": -6, "rci": -3.85, "needed": 3.06},
    )
    assert text == (
        "Couples Satisfaction Index (CSI-4) went from 15 at the first check-in to 9 (6 points "
        "worse; more than 3.06 points "
        "is reliable)."
    )
    assert outcomes.LABELS[OutcomeKind.WORSENING] == "Reliable worsening (computed)"
    assert "Jacobson" not in outcomes.LABELS[OutcomeKind.WORSENING]
