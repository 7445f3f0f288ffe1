"""Scoring of CSI-4, CSI-16, RAS, PHQ-9 and GAD-7, checked by hand against the published rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from therapy_portal.measures import INSTRUMENTS, score
from therapy_portal.measures.instruments import Instrument

KEYS = ["csi4", "csi16", "ras", "phq9", "gad7"]
SUM_KEYS = ["csi4", "csi16", "phq9", "gad7"]  # no reverse keying: total = sum of printed scores


def fill(key: str, total: int) -> list[int]:
    """Answers (printed scores) that reach ``total`` greedily from item 1 (no reverse keying)."""
    answers = []
    left = total
    for item in INSTRUMENTS[key].items:
        value = min(item.max, left)
        answers.append(value)
        left -= value
    assert left == 0
    return answers


# ------------------------------------------------------------------ registry and item data
def test_registry_keys_and_ranges() -> None:
    assert set(INSTRUMENTS) == set(KEYS)
    ranges = {k: (i.min_total, i.max_total, len(i.items)) for k, i in INSTRUMENTS.items()}
    assert ranges == {
        "csi4": (0, 21, 4),
        "csi16": (0, 81, 16),
        "ras": (7, 35, 7),
        "phq9": (0, 27, 9),
        "gad7": (0, 21, 7),
    }


def test_directions_and_text_policy() -> None:
    for key in ("csi4", "csi16", "ras"):
        assert INSTRUMENTS[key].direction == "higher_is_better"
    for key in ("phq9", "gad7"):
        assert INSTRUMENTS[key].direction == "higher_is_worse"
    ras = INSTRUMENTS["ras"]
    assert ras.display_text is False
    assert all(item.text is None for item in ras.items)
    assert ras.reverse_keyed_items == (4, 7)
    for key in ("csi4", "csi16", "phq9", "gad7"):
        assert INSTRUMENTS[key].display_text
        assert all(item.text for item in INSTRUMENTS[key].items)


def test_csi16_printed_option_order() -> None:
    csi16 = INSTRUMENTS["csi16"]
    for number in (2, 11, 13, 14, 16):  # printed high-to-low: the first option scores 5
        assert [s for s, _ in csi16.item(number).options] == [5, 4, 3, 2, 1, 0]
    for number in (12, 15):
        assert [s for s, _ in csi16.item(number).options] == [0, 1, 2, 3, 4, 5]
    assert csi16.item(2).options[0] == (5, "All the time")
    assert csi16.item(11).anchors == ("INTERESTING", "BORING")
    assert csi16.item(11).options[0] == (5, "INTERESTING")
    assert csi16.item(12).options[0] == (0, "BAD")
    assert csi16.item(1).options[-1] == (6, "Perfect")
    assert not csi16.reverse_keyed_items  # the printed score already carries the keying


def test_item_ranges_per_instrument() -> None:
    for key in ("csi4", "csi16"):
        items = INSTRUMENTS[key].items
        assert (items[0].min, items[0].max) == (0, 6)
        assert all((i.min, i.max) == (0, 5) for i in items[1:])
    assert all((i.min, i.max) == (1, 5) for i in INSTRUMENTS["ras"].items)
    for key in ("phq9", "gad7"):
        assert all((i.min, i.max) == (0, 3) for i in INSTRUMENTS[key].items)


# ------------------------------------------------------------------------- CSI cut-offs
@pytest.mark.parametrize(
    ("key", "total", "distressed"),
    [("csi4", 13, True), ("csi4", 14, False), ("csi16", 51, True), ("csi16", 52, False)],
)
def test_csi_cutoff_boundaries(key: str, total: int, distressed: bool) -> None:
    result = score(key, fill(key, total))
    assert result.total == total
    assert result.distressed is distressed
    assert result.band == ("distressed" if distressed else "not distressed")
    assert result.cutoff == {"csi4": 13.5, "csi16": 51.5}[key]
    assert result.mean is None
    assert result.flags == ()


def test_csi16_sums_printed_score_not_position() -> None:
    # Item 2 printed high-to-low: "All the time" is the first option (position 0) but scores 5.
    # Item 11 INTERESTING (left, position 0) scores 5; item 12 BAD (left, position 0) scores 0.
    csi16 = INSTRUMENTS["csi16"]
    leftmost = [item.options[0][0] for item in csi16.items]  # the left-most option everywhere
    assert leftmost == [0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 5, 5, 0, 5]
    # 5 (item 2) + 5 * 4 (items 11, 13, 14, 16) = 25, not 0 as summing positions would give.
    assert score("csi16", leftmost).total == 25
    rightmost = [item.options[-1][0] for item in csi16.items]
    # 6 + 0 + 5 * 8 (items 3-10) + 0 + 5 + 0 + 0 + 5 + 0 = 56
    assert score("csi16", rightmost).total == 56


# -------------------------------------------------------------------------- PHQ-9 and GAD-7
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands(total: int, band: str) -> None:
    result = score("phq9", fill("phq9", total))
    assert (result.total, result.band, result.distressed, result.cutoff) == (
        total,
        band,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands(total: int, band: str) -> None:
    result = score("gad7", fill("gad7", total))
    assert (result.total, result.band, result.flags) == (total, band, ())


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        ([0] * 9, False),
        ([0] * 8 + [1], True),  # total 1 ("minimal") but item 9 > 0
        ([3] * 8 + [0], False),  # total 24 ("severe") without item 9
        ([3] * 9, True),
    ],
)
def test_phq9_item9_flag_regardless_of_total(answers: list[int], flagged: bool) -> None:
    assert score("phq9", answers).flags == (("phq9_item9",) if flagged else ())


# ---------------------------------------------------------------------------------- RAS
def test_ras_reverse_items_and_mean() -> None:
    # Raw 4, 4, 5, 2, 3, 5, 1 -> items 4 and 7 become 6-2 = 4 and 6-1 = 5.
    # Keyed 4+4+5+4+3+5+5 = 30; mean 30/7 = 4.2857... -> 4.29.
    result = score("ras", [4, 4, 5, 2, 3, 5, 1])
    assert (result.total, result.mean, result.band, result.distressed) == (30, 4.29, None, None)
    assert result.items == (4, 4, 5, 2, 3, 5, 1)  # as answered, before keying


@pytest.mark.parametrize("reversed_item", [4, 7])
def test_each_ras_reverse_item(reversed_item: int) -> None:
    low = [3] * 7
    low[reversed_item - 1] = 1  # keyed 5
    high = [3] * 7
    high[reversed_item - 1] = 5  # keyed 1
    # 6 items * 3 = 18, plus 5 or 1.
    assert score("ras", low).total == 23
    assert score("ras", high).total == 19
    assert score("ras", low).mean == 3.29  # 23/7 = 3.2857
    assert score("ras", high).mean == 2.71  # 19/7 = 2.7142


def test_ras_min_max() -> None:
    worst = score("ras", [1, 1, 1, 5, 1, 1, 5])
    best = score("ras", [5, 5, 5, 1, 5, 5, 1])
    assert (worst.total, worst.mean) == (7, 1.0)  # 7/7
    assert (best.total, best.mean, best.max_total) == (35, 5.0, 35)  # 35/7
    assert score("ras", [3] * 7).mean == 3.0  # 21/7; reversed 3 stays 3


# ---------------------------------------------------------------------- totals and inputs
@pytest.mark.parametrize("key", SUM_KEYS)
def test_min_and_max_totals(key: str) -> None:
    inst = INSTRUMENTS[key]
    assert score(key, [i.min for i in inst.items]).total == 0
    top = score(key, [i.max for i in inst.items])
    assert top.total == top.max_total == inst.max_total


@pytest.mark.parametrize("key", KEYS)
def test_mapping_forms_are_equivalent(key: str) -> None:
    inst = INSTRUMENTS[key]
    answers = [i.max for i in inst.items]
    by_int = {n: a for n, a in enumerate(answers, start=1)}
    by_str = {str(n): a for n, a in by_int.items()}
    assert score(key, answers) == score(key, by_int) == score(key, by_str)
    assert score(key, tuple(answers)).items == tuple(answers)


def _cases() -> list[tuple[str, int]]:
    return [(key, len(INSTRUMENTS[key].items)) for key in KEYS]


@pytest.mark.parametrize(("key", "count"), _cases())
def test_missing_items(key: str, count: int) -> None:
    valid = [item.min for item in INSTRUMENTS[key].items]
    with pytest.raises(ValueError, match=rf"^item {count} is missing$"):
        score(key, valid[:-1])
    with pytest.raises(ValueError, match=r"^item 1 is missing$"):
        score(key, [])
    mapping = {n: v for n, v in enumerate(valid, start=1)}
    del mapping[2]
    with pytest.raises(ValueError, match=r"^item 2 is missing$"):
        score(key, mapping)


@pytest.mark.parametrize(("key", "count"), _cases())
def test_extra_items(key: str, count: int) -> None:
    valid = [item.min for item in INSTRUMENTS[key].items]
    with pytest.raises(ValueError, match=rf"^item {count + 1} is not part of {key}"):
        score(key, [*valid, valid[0]])
    with pytest.raises(ValueError, match=rf"^item {count + 1} is not part of"):
        score(key, {**{n: v for n, v in enumerate(valid, 1)}, count + 1: valid[0]})
    with pytest.raises(ValueError, match=r"^item 0 is not part of"):
        score(key, {**{n: v for n, v in enumerate(valid, 1)}, 0: valid[0]})


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("number", [1, 2])
def test_out_of_range(key: str, number: int) -> None:
    inst = INSTRUMENTS[key]
    item = inst.item(number)
    for bad in (item.min - 1, item.max + 1):
        answers = [i.min for i in inst.items]
        answers[number - 1] = bad
        message = f"item {number}: {bad} is out of range {item.min}–{item.max}"
        with pytest.raises(ValueError, match=f"^{message}$"):
            score(key, answers)


def test_error_messages_match_design_examples() -> None:
    with pytest.raises(ValueError, match="^item 2: 7 is out of range 0–5$"):
        score("csi4", [0, 7, 0, 0])
    with pytest.raises(ValueError, match="^item 3 is missing$"):
        score("csi4", {1: 0, 2: 0, 4: 0})


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("bad", [True, False, 2.0, "2", None])
def test_non_integers(key: str, bad: object) -> None:
    answers: list[object] = [i.min for i in INSTRUMENTS[key].items]
    answers[2] = bad
    with pytest.raises(ValueError, match=r"^item 3: .* is not an integer$"):
        score(key, answers)


@pytest.mark.parametrize("bad_key", ["01", " 1", "one", True, 1.0, None])
def test_bad_mapping_keys(bad_key: object) -> None:
    answers = {n: 0 for n in range(2, 5)}
    with pytest.raises(ValueError, match="is not an item number"):
        score("csi4", {bad_key: 0, **answers})


def test_duplicate_key_spellings() -> None:
    with pytest.raises(ValueError, match="^item 1 is given twice$"):
        score("csi4", {1: 0, "1": 0, 2: 0, 3: 0, 4: 0})


def test_answers_container_type() -> None:
    with pytest.raises(TypeError):
        score("csi4", "0000")
    with pytest.raises(TypeError):
        score("csi4", 5)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["CSI4", "csi32", "ors", "", None, ["csi4"]])
def test_unknown_instrument(bad: object) -> None:
    with pytest.raises(ValueError, match="^unknown instrument: "):
        score(bad, [0, 0, 0, 0])  # type: ignore[arg-type]


def test_score_is_frozen() -> None:
    result = score("gad7", [0] * 7)
    with pytest.raises(AttributeError):
        result.total = 3  # type: ignore[misc]


# ------------------------------------------------------------------------ property tests
@st.composite
def valid_answers(draw: st.DrawFn, key: str) -> list[int]:
    return [draw(st.integers(i.min, i.max)) for i in INSTRUMENTS[key].items]


def _any_instrument_answers() -> st.SearchStrategy[tuple[str, list[int]]]:
    return st.sampled_from(KEYS).flatmap(lambda k: valid_answers(k).map(lambda a: (k, a)))


def _band_rank(inst: Instrument, band: str) -> int:
    return [b.label for b in inst.bands].index(band)


@settings(database=None, max_examples=300)
@given(_any_instrument_answers())
def test_totals_within_range(case: tuple[str, list[int]]) -> None:
    key, answers = case
    inst = INSTRUMENTS[key]
    result = score(key, answers)
    assert inst.min_total <= result.total <= inst.max_total == result.max_total
    if key == "ras":
        assert result.mean is not None and 1.0 <= result.mean <= 5.0
        assert result.mean == round(result.total / 7, 2)
    if inst.cutoff is not None:
        assert result.distressed is (result.total < inst.cutoff)
        assert result.band == ("distressed" if result.distressed else "not distressed")


@settings(database=None, max_examples=300)
@given(_any_instrument_answers(), st.data())
def test_monotonic_in_each_item(case: tuple[str, list[int]], data: st.DataObject) -> None:
    key, answers = case
    inst = INSTRUMENTS[key]
    raisable = [n for n, i in enumerate(inst.items, 1) if answers[n - 1] < i.max]
    if not raisable:
        return
    number = data.draw(st.sampled_from(raisable))
    step = data.draw(st.integers(1, inst.item(number).max - answers[number - 1]))
    raised = list(answers)
    raised[number - 1] += step
    before, after = score(key, answers).total, score(key, raised).total
    if key == "ras" and number in (4, 7):
        assert after == before - step
    else:
        assert after == before + step  # so never lower (CSI, PHQ, GAD) and always higher (RAS)


@settings(database=None, max_examples=300)
@given(
    st.sampled_from(["csi4", "csi16", "phq9", "gad7"]).flatmap(
        lambda k: st.tuples(st.just(k), valid_answers(k), valid_answers(k))
    )
)
def test_band_non_decreasing_in_total(case: tuple[str, list[int], list[int]]) -> None:
    key, first, second = case
    inst = INSTRUMENTS[key]
    low, high = sorted((score(key, first), score(key, second)), key=lambda s: s.total)
    assert low.band is not None and high.band is not None
    assert _band_rank(inst, low.band) <= _band_rank(inst, high.band)


@pytest.mark.parametrize("key", ["csi4", "csi16", "phq9", "gad7"])
def test_band_exhaustive_non_decreasing(key: str) -> None:
    inst = INSTRUMENTS[key]
    ranks = [_band_rank(inst, inst.band_for(t) or "") for t in range(inst.max_total + 1)]
    assert ranks == sorted(ranks)
    assert ranks[0] == 0 and ranks[-1] == len(inst.bands) - 1


def test_pure_modules_import_no_web_or_database_code() -> None:
    import ast
    from pathlib import Path

    import therapy_portal.measures as measures

    package = Path(measures.__file__).parent
    for name in ("__init__", "instruments", "wordings", "scoring", "change", "charts"):
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
        assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "therapy_portal"}, name
