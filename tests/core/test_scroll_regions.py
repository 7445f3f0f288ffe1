"""A table in a scroll container can be scrolled from the keyboard: the container is a named,
focusable region (axe's scrollable-region-focusable). Axe only sees it when the table is wider
than the screen, which can depend on the language (the Spanish check-in answers were), so every
container in the templates is checked here."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CONTAINER = re.compile(r"<div\b[^>]*class=\"[^\"]*\btable-scroll\b[^\"]*\"[^>]*>")


def test_every_table_scroll_container_is_a_focusable_named_region():
    found, problems = 0, []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in CONTAINER.findall(path.read_text(encoding="utf-8")):
            found += 1
            named = "aria-label=" in tag or "aria-labelledby=" in tag
            if 'tabindex="0"' not in tag or 'role="region"' not in tag or not named:
                problems.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert found, "no scroll container found: the pattern is out of date"
    assert not problems, "\n".join(problems)
