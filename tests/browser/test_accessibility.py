"""axe-core over every page each role of the demo practice can reach, at 1280 and 390 px.

The demo practice is seeded as `make run` seeds it. For each person the crawler signs in, follows
every same-origin link from their landing page (breadth-first, GET only) and asserts: no axe
violation of any impact, no HTTP error, and no horizontal overflow on a 390 px phone. Failures
come back as one list: page pattern (ids replaced), viewport, rule, element.

LANGUAGES lists the languages the crawl runs in: each person's own choice (User.locale) is set
before they sign in, so every page (and the chooser's effect) is checked in each language.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser import axe, crawl
from tests.browser.conftest import log_in
from therapy_portal import demo
from therapy_portal.extensions import db
from therapy_portal.models import User

LANGUAGES = ("en", "es")
# Far above what the demo practice has (about 100 pages for the busiest therapist): a crawl
# that reaches the cap has found a link loop or a page explosion, and fails saying so.
CAP = 250
ROLES = {
    "admin": demo.STAFF[0][2],
    "therapist": demo.STAFF[1][2],
    "co-therapist": demo.STAFF[2][2],
    "partner A": demo.COUPLES[0][2][1],
    "partner B": demo.COUPLES[0][3][1],
}


@pytest.fixture
def demo_practice(app, runner):
    for args in (["seed-demo"], ["homework", "load-library"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app


def _choose_language(app, email: str, language: str) -> None:
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user.locale = language
        db.session.commit()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_reachable_page_passes_axe_at_both_sizes(
    demo_practice, browser, live_server, role, language
):
    _choose_language(demo_practice, ROLES[role], language)
    context = browser.new_context(base_url=live_server.url)  # signs in in English
    context.set_default_timeout(15_000)
    try:
        pages = {name: context.new_page() for name in crawl.VIEWPORTS}
        for name, (width, height) in crawl.VIEWPORTS.items():
            pages[name].set_viewport_size({"width": width, "height": height})
        wide = pages["1280x800"]
        log_in(wide, ROLES[role], demo.DEMO_PASSWORD)
        result = crawl.crawl(pages, wide.url, cap=CAP)
    finally:
        context.close()
    patterns = sorted({axe.pattern(urlsplit(url).path) for url in result.visited})
    print(
        f"{role} [{language}]: {len(result.visited)} pages, {len(patterns)} patterns "
        f"in {result.seconds:.1f} s"
    )
    assert result.visited, "the crawl reached no page"
    widths = "".join(f"\n  {p} is {w}px wide at 390 px" for p, w in sorted(result.widest.items()))
    problems = "\n".join(str(f) for f in sorted(result.findings)) + widths
    if result.findings:
        pytest.fail(f"{role} [{language}], {len(result.findings)} problems:\n{problems}")
