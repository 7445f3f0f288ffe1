"""Progress charts: well-formed, self-contained SVG with escaped user text, plus the table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output only

import pytest

from therapy_portal.measures.charts import (
    gap_values,
    progress_chart_svg,
    progress_table,
    x_labels_for,
)
from therapy_portal.ui import dates

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}

SERIES = {
    "Alex": [("2024-03-04", 10.0), ("2024-03-11", 12.0), ("2024-03-18", 16.0)],
    "Sam": [("2024-03-04", 15.0), ("2024-03-18", 17.0)],
}


def _urls(svg: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", svg))


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [t for el in root.iter() for t in (el.text, el.tail) if t and t.strip()]


def test_chart_is_self_contained_svg() -> None:
    svg = progress_chart_svg("CSI-4", SERIES, 13.5, {"Alex": [2]}, (0, 21), show_gap=True)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not svg.startswith("<?xml")
    assert "<script" not in svg.lower()
    assert "<!--" not in svg
    assert _urls(svg) <= NAMESPACES
    assert "url(" not in svg and "@import" not in svg
    texts = _texts(svg)
    assert "Alex" in texts and "Sam" in texts
    assert "Cut-off (13.5)" in texts
    assert "Alex: reliable change" in texts
    assert "Gap between partners" in texts
    assert "CSI-4" in texts


def test_cutoff_line_is_dashed() -> None:
    svg = progress_chart_svg("CSI-4", SERIES, 13.5, None, (0, 21))
    assert re.search(r"stroke-dasharray:\s*8,\s*5", svg)
    no_cutoff = progress_chart_svg("CSI-4", SERIES, None, None, (0, 21))
    assert "Cut-off" not in no_cutoff


def test_user_text_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    svg = progress_chart_svg(f"Title {evil}", {evil: [("2024-01-01", 3.0)]}, None, None, None)
    assert "<script" not in svg.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    ET.fromstring(svg)  # noqa: S314 - still well-formed
    assert evil in _texts(svg)  # shown as text, not markup


def test_x_labels_are_sorted_union() -> None:
    assert x_labels_for(SERIES) == ["2024-03-04", "2024-03-11", "2024-03-18"]


def test_gap_only_where_both_present() -> None:
    labels = x_labels_for(SERIES)
    assert gap_values(SERIES, labels) == [5.0, None, 1.0]  # |10-15|, Sam missing, |16-17|
    with pytest.raises(ValueError, match="exactly two partners"):
        gap_values({"Alex": SERIES["Alex"]}, labels)


def test_progress_table_rows() -> None:
    rows = progress_table(SERIES, show_gap=True)
    assert rows == [
        ("Check-in", "Alex", "Sam", "Gap"),
        ("2024-03-04", "10", "15", "5"),
        ("2024-03-11", "12", "not recorded", "not recorded"),
        ("2024-03-18", "16", "17", "1"),
    ]
    assert progress_table(SERIES, x_labels=["2024-03-18"]) == [
        ("Check-in", "Alex", "Sam"),
        ("2024-03-18", "16", "17"),
    ]


def test_reliable_points_use_the_partners_own_indices() -> None:
    # Sam's index 1 is 2024-03-18 (Sam has no 2024-03-11 point).
    svg = progress_chart_svg("CSI-4", SERIES, None, {"Sam": [1]}, (0, 21))
    assert "Sam: reliable change" in _texts(svg)
    assert "Alex: reliable change" not in svg


def test_single_partner_and_empty_series() -> None:
    svg = progress_chart_svg("PHQ-9", {"Alex": [("2024-01-01", None)]}, None, None, (0, 27))
    ET.fromstring(svg)  # noqa: S314
    assert _urls(svg) <= NAMESPACES
    empty = progress_chart_svg("Nothing yet", {}, None, None, None)
    ET.fromstring(empty)  # noqa: S314
    assert progress_table({}) == [("Check-in",)]


def _line_paths(svg: str) -> list[str]:
    return re.findall(r'<path d="([^"]+)" class="line reactive nofill"', svg)


def test_one_check_in_still_draws_the_cut_off_it_lists(app) -> None:
    """With one data point the legend's cut-off is drawn as a line with a length (issue 15)."""
    with app.app_context():
        svg = progress_chart_svg("CSI-4", {"Alex": [("2024-03-04", 10.0)]}, 13.5, None, (0, 21))
    assert "Cut-off (13.5)" in _texts(svg)
    (cutoff,) = _line_paths(svg)  # the one partner's single point draws no line; the cut-off does
    xs = [float(x) for x in re.findall(r"([\d.]+) [\d.]+", cutoff)]
    assert len(xs) >= 2 and max(xs) - min(xs) > 100


def test_the_axis_shows_the_whole_scale(app) -> None:
    """0–21 reads 0 … 21, not 0 … 20."""
    with app.app_context():
        svg = progress_chart_svg("CSI-4", SERIES, 13.5, None, (0, 21))
    texts = _texts(svg)
    assert "0" in texts and "21" in texts


def test_the_phone_chart_has_text_readable_at_390_px(app) -> None:
    """Drawn 400 units wide and shown about 360 px wide, 15-unit text reads at about 13 px."""
    with app.app_context():
        svg = progress_chart_svg("CSI-4", SERIES, 13.5, None, (0, 21), width=400, height=320)
    # The text drawn: titles, axis labels and the legend (not pygal's unused overlays).
    rules = re.findall(r"([^{}]*)\{[^}]*font-size:\s*(\d+)px", svg)
    wanted = re.compile(r"title|legend|axis|major|label")
    sizes = {int(size) for where, size in rules if wanted.search(where)}
    sizes -= {int(size) for where, size in rules if "text-overlay" in where or "no_data" in where}
    assert sizes and min(sizes) >= 15, rules


def test_period_labels_are_written_as_days(app) -> None:
    with app.app_context():
        svg = progress_chart_svg(
            "CSI-4", SERIES, None, None, (0, 21), shown_labels=dates.period_labels
        )
    assert {"4 Mar", "11 Mar", "18 Mar"} <= set(_texts(svg))
    assert "2024-03-04" not in _texts(svg)
