"""Today's "Find a couple" box, with CSRF on: it is the caseload search form's own field written
out in the template (no form is bound per request), and it posts to the caseload with a token
the caseload accepts."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from tests.factories import finish_login
from therapy_portal.caseload.forms import SearchForm

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SEARCH = re.compile(r'<form method="post" action="/couples" class="search-row".*?</form>', re.S)


@pytest.fixture
def app_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _signed_in(app, email: str):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post(
        "/login", data={"email": email, "password": "correct horse battery", "csrf_token": token}
    )
    finish_login(client, answer, email)
    return client


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def _search_form(client) -> str:
    return SEARCH.search(client.get("/today").get_data(as_text=True)).group(0)


def test_the_box_is_the_caseload_forms_own_field(app, world):
    with app.test_request_context("/today"):
        expected = render_template_string(
            '{% from "_macros/forms.html" import field %}{{ field(form.q) }}',
            form=SearchForm(formdata=None),
        )
    client = _signed_in(app, world.emails["therapist"])
    assert _squeezed(expected) in _squeezed(_search_form(client))


def test_a_search_from_today_is_taken_by_the_caseload(app, world):
    client = _signed_in(app, world.emails["therapist"])
    form = _search_form(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    answer = client.post("/couples", data={**fields, "q": "Couple Two", "csrf_token": token})
    assert answer.status_code == 302
    page = client.get(answer.location).get_data(as_text=True)
    assert "Couple Two" in page and "Couple One" not in page
    assert "Couple Two" not in answer.location  # the term stays out of the URL


def test_a_search_without_the_token_is_not_taken(app, world):
    client = _signed_in(app, world.emails["therapist"])
    answer = client.post("/couples", data={"q": "Couple Two", "status": "all"})
    assert answer.status_code != 302
    page = client.get("/couples").get_data(as_text=True)
    assert "Couple One" in page  # the filter was not applied
