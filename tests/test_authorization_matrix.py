"""Every route × every identity gets the outcome its area declared; undeclared routes fail.

The matrix walks `app.url_map`, so a new route without an entry in `tests/access/<area>.py` fails
here, and so does a view without a `requires`/`public` declaration.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.access
from tests.access.core import ALL
from tests.factories import PASSWORD, login
from therapy_portal import create_app
from therapy_portal.policy import undeclared_routes

MODULES = [
    importlib.import_module(f"tests.access.{m.name}")
    for m in pkgutil.iter_modules(tests.access.__path__)
]
EXPECTED: dict[str, dict[str, str]] = {}
for _module in MODULES:
    EXPECTED.update(_module.EXPECTED)


def _routes():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, rule.rule, method


ROUTES = list(_routes())


def test_every_view_declares_access():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert undeclared_routes(app) == []


def test_every_route_has_expected_outcomes_for_every_identity():
    missing = sorted({e for e, _, _ in ROUTES if e not in EXPECTED})
    assert missing == [], f"routes with no declared outcomes: {missing}"
    incomplete = sorted(e for e, table in EXPECTED.items() if set(table) != set(ALL))
    assert incomplete == [], f"routes missing identities: {incomplete}"
    known = {e for e, _, _ in ROUTES} | {f"{m} {e}" for e, _, m in ROUTES}
    stale = sorted(set(EXPECTED) - known)
    assert stale == [], f"expectations for routes that no longer exist: {stale}"


def _outcome(response) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location:
        return "login"
    if response.status_code in (403, 404):
        return "denied"
    return "ok"


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=lambda v: str(v))
def test_route_outcome(app, world, endpoint, rule, method):
    """Each identity in turn, with its own client; denied identities change nothing."""
    values = {}
    with app.app_context():
        for module in MODULES:
            values.update(module.params(world))
    with app.test_request_context():
        from flask import url_for

        url = url_for(
            endpoint, **{k: v for k, v in values.items() if f"<{k}>" in rule or f":{k}>" in rule}
        )
    mismatches = []
    for who in ALL:
        table = EXPECTED.get(f"{method} {endpoint}") or EXPECTED.get(endpoint, {})
        expected = table.get(who)
        if expected is None:
            mismatches.append(f"{who}: no declared outcome")
            continue
        client = app.test_client()
        if who != "anonymous":
            assert login(client, world.emails[who], PASSWORD).status_code == 302
        response = client.open(url, method=method, data={})
        got = _outcome(response)
        if got != expected:
            mismatches.append(f"{who}: expected {expected}, got {got} ({response.status_code})")
    assert mismatches == [], f"{method} {url}"
