"""Every page a person can reach has one <h1>, a <title>, a label for every field and named buttons.

The test walks every GET route of the app as each kind of user (like the authorization matrix), so a
new page is checked without being listed here.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import PASSWORD, login
from tests.test_authorization_matrix import MODULES, ROUTES

IDENTITIES = ("anonymous", "partner_a", "therapist", "admin")


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.title = ""
        self._in_title = False
        self.labels_for: set[str] = set()
        self.fields: list[tuple[str, dict]] = []
        self._label_depth = 0
        self._button: list[str] | None = None
        self.buttons: list[str] = []
        self.lang = None
        self.none_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # A Python None leaking into markup (aria-describedby="None" on radio groups, once).
        self.none_attributes += [f"{tag} {k}" for k, v in attrs.items() if v == "None"]
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "title":
            self._in_title = True
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labels_for.add(attrs["for"])
        if tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text")
            if kind not in ("hidden", "submit", "button"):
                self.fields.append((tag, {**attrs, "_wrapped": self._label_depth > 0}))
        if tag == "button":
            self._button = [attrs.get("aria-label", "")]

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "label":
            self._label_depth -= 1
        if tag == "button" and self._button is not None:
            self.buttons.append("".join(self._button).strip())
            self._button = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._button is not None:
            self._button.append(data)

    def problems(self) -> list[str]:
        found = []
        if self.h1 != 1:
            found.append(f"{self.h1} <h1> elements")
        if not self.title.strip():
            found.append("no <title>")
        if self.lang != "en":
            found.append("no lang on <html>")
        for tag, attrs in self.fields:
            labelled = (
                attrs.get("id") in self.labels_for or attrs["_wrapped"] or attrs.get("aria-label")
            )
            if not labelled:
                found.append(f"unlabelled <{tag} name={attrs.get('name')}>")
        found += [f"button without text {i}" for i, text in enumerate(self.buttons) if not text]
        found += [f'{where}="None"' for where in self.none_attributes]
        return found


GET_ROUTES = [(e, r) for e, r, m in ROUTES if m == "GET"]


@pytest.mark.parametrize("who", IDENTITIES)
def test_every_reachable_page_is_structured_for_everyone(app, world, client, who):
    values = {}
    with app.app_context():
        for module in MODULES:
            values.update(module.params(world))
    if who != "anonymous":
        login(client, world.emails[who], PASSWORD)
    checked = 0
    failures = {}
    for endpoint, rule in GET_ROUTES:
        with app.test_request_context():
            from flask import url_for

            url = url_for(
                endpoint,
                **{k: v for k, v in values.items() if f"<{k}>" in rule or f":{k}>" in rule},
            )
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # a streamed download left open would keep its request context
            continue
        audit = PageAudit()
        audit.feed(response.get_data(as_text=True))
        if audit.problems():
            failures[url] = audit.problems()
        checked += 1
    assert checked > 0
    assert failures == {}
