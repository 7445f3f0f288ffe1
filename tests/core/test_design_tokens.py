"""The design system's colour tokens reach WCAG 2.x AA: 4.5:1 for every text/background pair the
stylesheet uses, 3:1 for control edges and the focus ring. Ratios are computed from the values in
static/portal.css, so changing a token to a paler one fails here."""

from __future__ import annotations

import re

import pytest

from therapy_portal.settings import PROJECT_ROOT

CSS = (PROJECT_ROOT / "therapy_portal" / "static" / "portal.css").read_text()

# (foreground, background): text pairs the components use.
TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "card"),
    ("ink", "neutral-soft"),
    ("ink", "warn-soft"),
    ("ink", "accent-soft"),
    ("ink", "sidebar"),
    ("muted", "paper"),
    ("muted", "card"),
    ("muted", "neutral-soft"),
    ("accent", "paper"),
    ("accent", "card"),
    ("accent", "accent-soft"),
    ("accent", "sidebar"),
    ("accent-ink", "accent"),
    ("danger", "card"),
    ("danger", "paper"),
    ("danger", "danger-soft"),
    ("danger-ink", "danger"),
    ("ok", "ok-soft"),
    ("ok", "card"),
    ("warn", "warn-soft"),
    ("info", "info-soft"),
]
# Non-text: a control's border and the focus ring against what they sit on.
EDGE_PAIRS = [("field-border", "card"), ("focus", "paper"), ("focus", "card")]


def tokens() -> dict[str, str]:
    root = CSS[CSS.index(":root") : CSS.index("}", CSS.index(":root"))]
    return dict(re.findall(r"--color-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", root))


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_token_named_in_a_pair_exists():
    names = {n for pair in TEXT_PAIRS + EDGE_PAIRS for n in pair}
    assert names <= set(tokens()), names - set(tokens())


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_pairs_reach_aa(fg, bg):
    colours = tokens()
    assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)


@pytest.mark.parametrize(("fg", "bg"), EDGE_PAIRS)
def test_control_edges_and_focus_reach_three_to_one(fg, bg):
    colours = tokens()
    assert contrast(colours[fg], colours[bg]) >= 3.0, (fg, bg)
