"""A breadth-first crawl of the pages one signed-in person can reach, checked with axe-core.

GET only: the crawler follows `<a href>` links on the same origin and never submits a form.
Links that sign out or download a file are not followed; a response that is not HTML (an
image, JSON) is not checked. Every page pattern is checked, with up to PER_PATTERN instances
each (ids replaced: /couples/<id>) and PER_PATH query variants of a path (?week=…), so a
calendar's endless "next week" links do not make the crawl endless. Each page is loaded in two
tabs of the same browser context, one per viewport, so both sizes share one sign-in.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from tests.browser import axe

VIEWPORTS = {"1280x800": (1280, 800), "390x844": (390, 844)}
PHONE = "390x844"
# Sign-out, downloads and calendar/PDF/JSON/CSV files are never followed.
SKIP = re.compile(
    r"/logout$|/download$|/pdf$|\.(ics|pdf|zip|csv|json)$|/export\.zip$",
)
# Pages of one pattern (ids replaced) that differ only in whose they are: a few show the
# template's states; the calendar's "next week" links alone would go on for ever.
PER_PATTERN = 3
PER_PATH = 2  # query-string variants of one path (?week=…, ?page=…)
_LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


class CapReached(AssertionError):
    """More pages than the cap: the crawl is stopped rather than silently cut short."""


@dataclass
class Crawl:
    """What one person's crawl saw: the pages visited and the problems found."""

    visited: list[str] = field(default_factory=list)
    sampled_out: set[str] = field(default_factory=set)
    widest: dict[str, int] = field(default_factory=dict)  # pattern → widest page at 390 px
    findings: set[axe.Finding] = field(default_factory=set)
    seconds: float = 0.0


def _same_origin_links(page, origin: str) -> list[str]:
    links = []
    for href in page.evaluate(_LINKS):
        url = urldefrag(href)[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        links.append(url)
    return links


class _Sampler:
    """Admits at most PER_PATTERN paths per pattern and PER_PATH queries per path."""

    def __init__(self) -> None:
        self.paths: dict[str, set[str]] = {}
        self.queries: dict[str, set[str]] = {}

    def admit(self, url: str) -> bool:
        parts = urlsplit(url)
        paths = self.paths.setdefault(axe.pattern(parts.path), set())
        queries = self.queries.setdefault(parts.path, set())
        if parts.path not in paths and len(paths) >= PER_PATTERN:
            return False
        if parts.query not in queries and len(queries) >= PER_PATH:
            return False
        paths.add(parts.path)
        queries.add(parts.query)
        return True


def _check(page, viewport: str, url: str, source: str, crawl: Crawl) -> bool:
    """Load `url` in this viewport's tab and record its problems; False if it is not a page."""
    response = page.goto(url, wait_until="load")
    path = urlsplit(page.url).path
    where = axe.pattern(path)
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return False
    if response.status >= 400:
        crawl.findings.add(axe.Finding(where, viewport, f"http-{response.status}", path))
        return True
    for violation in axe.violations(page, source):
        for target in violation["targets"]:
            rule = f"{violation['rule']} ({violation['impact']})"
            crawl.findings.add(axe.Finding(where, viewport, rule, target))
    for element in axe.none_attributes(page):
        crawl.findings.add(axe.Finding(where, viewport, 'attribute-value-"None"', element))
    if viewport == PHONE:
        wide = axe.overflow(page)
        if wide:
            culprits = ", ".join(wide["culprits"]) or "?"
            crawl.widest[where] = max(crawl.widest.get(where, 0), wide["width"])
            crawl.findings.add(axe.Finding(where, viewport, "horizontal-overflow", culprits))
    return True


def crawl(pages: dict, start: str, *, cap: int) -> Crawl:
    """Check every page reachable from `start` (breadth-first) in each viewport's tab.

    `pages` maps a viewport name (VIEWPORTS) to a Playwright page of one signed-in context.
    Raises CapReached when more than `cap` pages are reachable.
    """
    began = time.monotonic()
    source = axe.axe_source()
    wide = pages["1280x800"]
    parts = urlsplit(urljoin(wide.url or start, start))
    origin = f"{parts.scheme}://{parts.netloc}"
    result = Crawl()
    seen = {urljoin(origin, start)}
    queue = deque(seen)
    sampler = _Sampler()
    sampler.admit(next(iter(seen)))
    while queue:
        url = queue.popleft()
        if len(result.visited) >= cap:
            raise CapReached(f"more than {cap} pages reachable from {start}; next: {url}")
        if not _check(wide, "1280x800", url, source, result):
            continue
        result.visited.append(url)
        for link in _same_origin_links(wide, origin):
            if link in seen:
                continue
            seen.add(link)
            if sampler.admit(link):
                queue.append(link)
            else:
                result.sampled_out.add(axe.pattern(urlsplit(link).path))
        _check(pages[PHONE], PHONE, url, source, result)
    result.seconds = time.monotonic() - began
    return result
