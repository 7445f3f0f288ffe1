"""Jacobson–Truax reliable change and clinical significance, with arithmetic checked by hand."""

from __future__ import annotations

import math

import pytest

from therapy_portal.measures import DEFAULT_NORMS, clinically_significant, reliable_change
from therapy_portal.measures.change import FIXED_POINTS, JT_LABEL, Norm


def test_csi16_illustration_by_hand() -> None:
    # SE = 14.41 * sqrt(1 - .98) = 14.41 * 0.141421 = 2.03788
    # S_diff = sqrt(2 * 2.03788**2) = 14.41 * sqrt(.04) = 14.41 * 0.2 = 2.882
    # min change = 1.96 * 2.882 = 5.64872; RCI(40 -> 50) = 10 / 2.882 = 3.46981
    rc = reliable_change(40, 50, 14.41, 0.98)
    assert rc.s_diff == pytest.approx(2.882)
    assert rc.min_change_points == pytest.approx(5.64872)
    assert rc.rci == pytest.approx(3.46981, abs=1e-5)
    assert rc.change == 10
    assert rc.reliable is True
    assert rc.direction == "improved"  # no instrument: higher is assumed better
    assert rc.label == JT_LABEL == "reliable change (computed)"
    assert rc.method == "jacobson_truax"


def test_defaults_come_from_instrument_norms() -> None:
    assert DEFAULT_NORMS["csi16"] == Norm(14.41, 0.98, DEFAULT_NORMS["csi16"].source)
    explicit = reliable_change(40, 50, 14.41, 0.98)
    implicit = reliable_change(40, 50, instrument="csi16")
    assert implicit == explicit


@pytest.mark.parametrize(
    ("pre", "post", "reliable"),
    [
        # CSI-16 threshold 5.649 points: 5 is not reliable, 6 is (RCI 5/2.882 = 1.735;
        # 6/2.882 = 2.0819).
        (40, 45, False),
        (40, 46, True),
        (46, 40, True),
        (45, 40, False),
    ],
)
def test_csi16_threshold(pre: int, post: int, reliable: bool) -> None:
    rc = reliable_change(pre, post, instrument="csi16")
    assert rc.reliable is reliable
    expected = ("improved" if post > pre else "worsened") if reliable else "no reliable change"
    assert rc.direction == expected


def test_exactly_at_critical_value_is_not_reliable() -> None:
    # sd 10, r .5: SE = 10 * sqrt(.5) = 7.0711; S_diff = sqrt(2 * 50) = 10.
    # A change of 19.6 gives RCI = 1.96 exactly, which is not *greater* than 1.96.
    # (Floating point gives 1.9600000000000002; the module compares at 9 dp.)
    rc = reliable_change(0, 19.6, 10, 0.5)
    assert rc.s_diff == pytest.approx(10.0)
    assert rc.rci == pytest.approx(1.96)
    assert rc.reliable is False
    assert reliable_change(0, 19.7, 10, 0.5).reliable is True


@pytest.mark.parametrize(
    ("key", "s_diff", "minimum"),
    [
        ("csi4", 4.5 * math.sqrt(0.12), 1.96 * 4.5 * math.sqrt(0.12)),  # 1.5588, 3.0553
        ("ras", 4.9 * math.sqrt(0.28), 1.96 * 4.9 * math.sqrt(0.28)),  # 2.5928, 5.0819
        ("phq9", 6.0 * math.sqrt(0.22), 1.96 * 6.0 * math.sqrt(0.22)),  # 2.8142, 5.5159
        ("gad7", 2.0, 3.92),  # 5 * sqrt(2 * .08) = 5 * 0.4
    ],
)
def test_default_norms_thresholds(key: str, s_diff: float, minimum: float) -> None:
    rc = reliable_change(10, 10, instrument=key)
    assert rc.s_diff == pytest.approx(s_diff)
    assert rc.min_change_points == pytest.approx(minimum)
    assert rc.rci == 0 and rc.reliable is False and rc.direction == "no reliable change"


@pytest.mark.parametrize(
    ("key", "pre", "post", "direction"),
    [
        ("phq9", 18, 8, "improved"),  # lower is better: -10 / 2.814 = -3.55
        ("phq9", 8, 18, "worsened"),
        ("gad7", 12, 7, "improved"),  # -5 / 2.0 = -2.5
        ("gad7", 7, 12, "worsened"),
        ("csi4", 10, 15, "improved"),  # +5 / 1.559 = 3.21
        ("csi4", 15, 10, "worsened"),
        ("ras", 20, 27, "improved"),  # +7 / 2.593 = 2.70
    ],
)
def test_direction_uses_instrument(key: str, pre: int, post: int, direction: str) -> None:
    assert reliable_change(pre, post, instrument=key).direction == direction


def test_explicit_direction_without_instrument() -> None:
    rc = reliable_change(18, 8, 6.0, 0.89, direction="higher_is_worse")
    assert rc.direction == "improved"


def test_norms_are_configurable() -> None:
    norms = {"csi4": Norm(sd=2.0, reliability=0.75, source="clinic reference")}
    # SE = 2 * sqrt(.25) = 1; S_diff = sqrt(2) = 1.41421; RCI(10 -> 13) = 3 / 1.41421 = 2.1213
    rc = reliable_change(10, 13, instrument="csi4", norms=norms)
    assert rc.s_diff == pytest.approx(math.sqrt(2))
    assert rc.rci == pytest.approx(2.12132, abs=1e-5)
    assert rc.reliable is True
    # Explicit sd/reliability override the table: with the defaults (S_diff 1.5588) the same
    # change gives RCI 3 / 1.5588 = 1.9245, not reliable.
    assert reliable_change(10, 13, 4.5, 0.94, instrument="csi4", norms=norms).reliable is False
    assert reliable_change(10, 13, instrument="csi4").reliable is False


@pytest.mark.parametrize(
    ("key", "pre", "post", "reliable", "direction"),
    [
        ("phq9", 15, 9, True, "improved"),  # 6 points: reliable under the convention
        ("phq9", 15, 10, False, "no reliable change"),
        ("phq9", 9, 15, True, "worsened"),
        ("gad7", 12, 8, True, "improved"),  # 4 points
        ("gad7", 12, 9, False, "no reliable change"),
    ],
)
def test_fixed_point_method(key: str, pre: int, post: int, reliable: bool, direction: str) -> None:
    rc = reliable_change(pre, post, instrument=key, method="fixed_points")
    assert (rc.reliable, rc.direction) == (reliable, direction)
    assert rc.rci is None and rc.s_diff is None
    assert rc.min_change_points == FIXED_POINTS[key]
    assert rc.method == "fixed_points" and rc.label != JT_LABEL


def test_errors() -> None:
    with pytest.raises(ValueError, match="no reference norms"):
        reliable_change(1, 2)
    with pytest.raises(ValueError, match="no fixed-point threshold"):
        reliable_change(1, 2, instrument="csi4", method="fixed_points")
    with pytest.raises(ValueError, match="unknown instrument"):
        reliable_change(1, 2, instrument="nope")
    with pytest.raises(ValueError, match="reliability"):
        reliable_change(1, 2, 10, 1.0)
    with pytest.raises(ValueError, match="sd must be positive"):
        reliable_change(1, 2, 0, 0.9)
    with pytest.raises(ValueError, match="unknown method"):
        reliable_change(1, 2, 10, 0.9, method="other")  # type: ignore[arg-type]


# ------------------------------------------------------------------ clinical significance
@pytest.mark.parametrize(
    ("key", "pre", "post", "expected"),
    [
        ("csi4", 10, 14, True),  # +4 > 3.06 points and 10 < 13.5 <= 14
        ("csi4", 12, 14, False),  # crosses the cut-off but +2 is not reliable
        ("csi4", 14, 19, False),  # reliable but was not distressed before
        ("csi4", 5, 12, False),  # reliable but still distressed after
        ("csi4", 14, 10, False),  # reliable deterioration is never "significant improvement"
        ("csi16", 45, 52, True),  # +7 > 5.65 points and 45 < 51.5 <= 52
        ("csi16", 47, 52, False),  # +5 < 5.65
        ("csi16", 40, 51, False),  # +11 but 51 < 51.5
    ],
)
def test_clinically_significant(key: str, pre: int, post: int, expected: bool) -> None:
    assert clinically_significant(pre, post, key) is expected


def test_clinically_significant_needs_a_cutoff() -> None:
    for key in ("ras", "phq9", "gad7"):
        with pytest.raises(ValueError, match="no distress cut-off"):
            clinically_significant(10, 20, key)
