"""axe-core (from the npm registry, tests/browser/package.json) run inside a Playwright page.

`make install` / `make test` run `npm ci` in tests/browser/, which puts axe.min.js under
node_modules/. Without it the accessibility tests are skipped locally and fail under CI=true,
like a missing Chromium.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

# Every rule axe runs by default (WCAG 2.0–2.2 A/AA and best practices), every impact.
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""
_OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  // Content inside a scroll container (a .table-scroll region, the nav strip) is not the cause.
  const clips = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const all = [...document.querySelectorAll('body, body *')].filter(el => !clips(el));
  const sticksOut = el => el.getBoundingClientRect().right > root.clientWidth + 1;
  let wide = all.filter(el => sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)));
  if (!wide.length) {  // no box sticks out: the content of one does (a long line, an SVG)
    wide = all.filter(el => el.scrollWidth > root.clientWidth + 1)
      .filter(el => !(el.parentElement && el.parentElement.scrollWidth > root.clientWidth + 1));
  }
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  return {width: root.scrollWidth, client: root.clientWidth, culprits: wide.slice(0, 3).map(name)};
}"""


# An attribute rendered from a Python None (`aria-describedby="None"`): never meant, always a bug.
_NONE_ATTRIBUTES = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.value.trim() === 'None') {
        found.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '[' + attr.name + ']');
      }
    }
  }
  return found.slice(0, 5);
}"""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem on one page pattern, as a line of the failure list."""

    pattern: str
    viewport: str
    rule: str
    target: str

    def __str__(self) -> str:
        return f"{self.pattern}  [{self.viewport}]  {self.rule}  {self.target}"


def axe_source() -> str:
    if not AXE_JS.exists():
        message = f"axe-core is not installed ({AXE_JS}): run `make install` (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, source: str) -> list[dict]:
    """axe's violations on the page as loaded (axe is injected once per document).

    Evaluated through the debugging protocol rather than a script tag, so the page's own
    Content-Security-Policy stays on while it is checked.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source + "\n;true")
    return page.evaluate(_RUN)


def overflow(page) -> dict | None:
    """None, or how far the page is wider than the viewport and the widest elements."""
    return page.evaluate(_OVERFLOW)


def none_attributes(page) -> list[str]:
    """Elements with an attribute whose value is the string "None" (up to five)."""
    return page.evaluate(_NONE_ATTRIBUTES)


_ID = re.compile(r"(?<=/)(\d+|[A-Za-z0-9_-]{20,})(?=/|$)")


def pattern(path: str) -> str:
    """/couples/12/homework/7 → /couples/<id>/homework/<id> (tokens too); the query is dropped."""
    return _ID.sub("<id>", path.split("?", 1)[0])
