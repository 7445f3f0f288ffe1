"""Self-contained SVG progress charts (pygal) and their screen-reader table.

The SVG has no ``<script>``, no comments and no external references: it is safe to inline in a
page under a strict CSP and to hand to the PDF renderer's deny-all fetcher. pygal's serializer
escapes every title, legend and label, so partner display names (user text) are passed as-is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pygal
from pygal.style import Style

Point = tuple[str, float | None]
Series = Mapping[str, Sequence[Point]]

PARTNER_COLOURS = ("#1f5fa8", "#b8540b", "#2e7d32", "#6a1b9a")  # distinguishable, dark
GAP_COLOUR = "#767676"
CUTOFF_COLOUR = "#b00020"
MISSING = "not recorded"


def x_labels_for(series: Series) -> list[str]:
    """All check-in labels across partners, sorted (use ISO dates so this is chronological)."""
    return sorted({label for points in series.values() for label, _ in points})


def _aligned(points: Sequence[Point], labels: Sequence[str]) -> list[float | None]:
    """Values in ``labels`` order; a label repeated within a series keeps its last value."""
    by_label = dict(points)
    return [by_label.get(label) for label in labels]


def gap_values(series: Series, labels: Sequence[str]) -> list[float | None]:
    """|A − B| per label where both of exactly two partners have a value, else None."""
    if len(series) != 2:
        raise ValueError("a gap needs exactly two partners")
    first, second = (_aligned(points, labels) for points in series.values())
    return [
        None if a is None or b is None else abs(a - b) for a, b in zip(first, second, strict=True)
    ]


def _strip_active_content(root: Any) -> Any:  # pygal's etree (lxml or xml.etree) root
    """pygal xml_filter: drop <script> elements, comments and processing instructions."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag
            if not isinstance(tag, str) or tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def progress_chart_svg(
    title: str,
    series: Series,
    cutoff: float | None = None,
    reliable_points: Mapping[str, Sequence[int]] | None = None,
    y_range: tuple[float, float] | None = None,
    *,
    show_gap: bool = False,
    x_labels: Sequence[str] | None = None,
    cutoff_label: str = "Cut-off",
    shown_labels: Callable[[Sequence[str]], Sequence[str]] | None = None,
    width: int = 800,
    height: int = 400,
    chart_id: str | None = None,
) -> str:
    """Render one line per partner as an inline SVG string.

    ``series`` maps a partner's display name to ``(label, value)`` points (value None = no
    check-in). ``cutoff`` draws a dashed horizontal line. ``reliable_points`` maps a partner to
    indices into *that partner's* points where a reliable change was reached; they are drawn as a
    separate, larger-dot series. ``show_gap`` adds |A − B| for exactly two partners. Labels
    default to :func:`x_labels_for`; pass ``x_labels`` to fix the order and ``shown_labels`` to
    write them for people (``ui.dates.period_labels``: ISO keys as days). pygal names the chart
    with a random UUID; pass ``chart_id`` for byte-identical output from identical data.
    """
    labels = list(x_labels) if x_labels is not None else x_labels_for(series)
    if len(labels) == 1:
        # One check-in: empty slots either side give every line (the cut-off too) a length.
        labels = ["", labels[0], " "]
    chart = _line_chart(title, labels, y_range, width, height, chart_id, shown_labels)
    colours = _add_partners(chart, series, labels, reliable_points or {})
    if show_gap:
        colours.append(GAP_COLOUR)
        chart.add(
            "Gap between partners",
            gap_values(series, labels),
            dots_size=2,
            stroke_style={"width": 1, "dasharray": "2, 3"},
        )
    if cutoff is not None:
        colours.append(CUTOFF_COLOUR)
        chart.add(
            f"{cutoff_label} ({cutoff:g})",
            [cutoff] * len(labels),
            show_dots=False,
            stroke_style={"width": 2.5, "dasharray": "8, 5"},
        )
    chart.style = _style(colours, small=width < 600)
    return chart.render(is_unicode=True)


def y_labels_for(y_range: tuple[float, float]) -> list[float]:
    """Axis labels from the bottom to the top of the scale, both ends included (0–21 reads
    0, 3, 6, … 21, never stopping at 20): the smallest whole step dividing the range into at
    most ten parts; without one, a round step and the top added (a label too close to the top
    gives way to it)."""
    low, high = y_range
    span = high - low
    exact = [s for s in range(1, int(span) + 1) if span % s == 0 and 4 <= span / s <= 10]
    step = (
        exact[0]
        if exact
        else next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 1000) if span / s <= 8)
    )
    labels = [low + i * step for i in range(int(span // step) + 1)]
    if labels[-1] != high:
        if high - labels[-1] <= step / 2:
            labels.pop()
        labels.append(high)
    return labels


def _line_chart(title, labels, y_range, width: int, height: int, chart_id: str | None, shown=None):
    chart = pygal.Line(
        js=[],
        disable_xml_declaration=True,
        title=title,
        width=width,
        height=height,
        range=y_range,
        y_labels=y_labels_for(y_range) if y_range else None,
        x_label_rotation=30 if len(labels) > 8 or (width < 600 and len(labels) > 4) else 0,
        truncate_legend=-1,
        legend_at_bottom=True,
        print_values=False,
        tooltip_border_radius=0,
    )
    chart.add_xml_filter(_strip_active_content)
    if chart_id is not None:
        chart.uuid = chart_id  # used for the root id and the CSS selectors
    chart.x_labels = list(shown(labels)) if shown else labels
    return chart


def _add_partners(chart, series: Series, labels, reliable_points) -> list[str]:
    """One line per partner, then each partner's reliable-change dots; returns their colours."""
    colours: list[str] = []
    for index, (name, points) in enumerate(series.items()):
        colours.append(PARTNER_COLOURS[index % len(PARTNER_COLOURS)])
        chart.add(name, _aligned(points, labels), dots_size=4, stroke_style={"width": 2.5})
    for index, name in enumerate(series):
        marks = reliable_points.get(name)
        if not marks:
            continue
        points = series[name]
        chosen = {points[i][0]: points[i][1] for i in marks}
        values = [chosen.get(label) for label in labels]
        colours.append(PARTNER_COLOURS[index % len(PARTNER_COLOURS)])
        chart.add(f"{name}: reliable change", values, stroke=False, dots_size=8)
    return colours


def _style(colours: list[str], *, small: bool = False) -> Style:
    """Text sizes in the SVG's own units: the phone variant is drawn 400 wide and shown at about
    360 px, so its 15-unit labels read at about 13 px; the wide one is shown at up to 800 px."""
    size = 15 if small else 14
    return Style(
        title_font_size=size + 3,
        label_font_size=size,
        major_label_font_size=size,
        legend_font_size=size,
        value_font_size=size,
        tooltip_font_size=size,
        background="white",
        plot_background="white",
        foreground="#333333",
        foreground_strong="#111111",
        foreground_subtle="#dddddd",
        font_family="sans-serif",
        guide_stroke_color="#e4e4e4",
        major_guide_stroke_color="#cccccc",
        guide_stroke_dasharray="none",
        major_guide_stroke_dasharray="none",
        colors=tuple(colours) or PARTNER_COLOURS,
    )


def sparkline_points(
    values: Sequence[float], y_range: tuple[float, float], width: int = 96, height: int = 24
) -> str:
    """The points of an SVG polyline for a small trend on the instrument's whole scale, so a
    flat line near the top means "near the top" (numbers only, no user text)."""
    if not values:
        return ""
    step = width / max(len(values) - 1, 1)
    if len(values) == 1:
        values, step = [values[0], values[0]], width
    return " ".join(
        f"{i * step:.1f},{sparkline_y(v, y_range, height):.1f}" for i, v in enumerate(values)
    )


def sparkline_y(value: float, y_range: tuple[float, float], height: int = 24) -> float:
    """Where ``value`` sits in a sparkline ``height`` high (2 units of margin top and bottom)."""
    low, high = y_range
    span = (high - low) or 1
    return height - 2 - (min(max(value, low), high) - low) / span * (height - 4)


def progress_table(
    series: Series, *, x_labels: Sequence[str] | None = None, show_gap: bool = False
) -> list[tuple[str, ...]]:
    """The chart's data as plain text rows for an accessible table; the first row is headers.

    Missing values read as "not recorded"; numbers print without a trailing ".0".
    """
    labels = list(x_labels) if x_labels is not None else x_labels_for(series)
    columns = [_aligned(points, labels) for points in series.values()]
    headers = ["Check-in", *series]
    if show_gap:
        columns.append(gap_values(series, labels))
        headers.append("Gap")
    rows = [tuple(headers)]
    for row_index, label in enumerate(labels):
        rows.append((label, *(_fmt(column[row_index]) for column in columns)))
    return rows


def _fmt(value: float | None) -> str:
    return MISSING if value is None else f"{value:g}"
