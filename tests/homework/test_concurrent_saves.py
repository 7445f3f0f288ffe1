"""Real concurrent requests on one homework answer: two tabs, both partners, a double click.

Each request runs in its own thread with its own test client (so its own app context, session and
database connection), released together by a barrier, many times over. Whatever the timing, every
text must be stored (as the draft or as a conflict copy of its author), the loser must get the
conflict answer, and a repeated submit must answer as the first one did.
"""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import func, select

from tests.factories import login
from tests.homework.factories import answers, key
from tests.homework.helpers import form_of, new_occurrence
from tests.races import RACE_MARKS, TRIALS, assert_no_problems, race
from therapy_portal.extensions import db
from therapy_portal.models.homework import DraftConflict, Response, Submission

pytestmark = RACE_MARKS
JOINT_PROMPTS = [
    {"key": "plan", "type": "long_text", "label": "Our plan", "visibility": "shared_at_once"}
]


@pytest.fixture
def app_overrides() -> dict:
    """An unhandled error answers 500, as in production, instead of failing the thread."""
    return {"PROPAGATE_EXCEPTIONS": False}


def _client(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _response(app, occurrence_id: int) -> Response | None:
    with app.app_context():
        response = db.session.scalar(
            select(Response).where(Response.occurrence_id == occurrence_id)
        )
        if response is not None:
            db.session.expunge(response)
        return response


def _conflicts(app, response_id: int) -> list[tuple[int, dict, int]]:
    with app.app_context():
        rows = db.session.scalars(
            select(DraftConflict).where(DraftConflict.response_id == response_id)
        )
        return [(c.author_id, c.fields, c.based_on_version) for c in rows]


def _autosave_race(app, occurrence_id: int, writers: list[tuple[object, int]], field: str):
    """Both writers autosave the same version, TRIALS times; returns what went wrong."""
    problems = []
    for trial in range(TRIALS):
        current = _response(app, occurrence_id)
        version = current.version if current else 0
        fields = [{field: [f"writer {n} trial {trial}"]} for n in range(len(writers))]
        url = f"/homework/{occurrence_id}/draft"
        results = race(
            *(
                partial(client.post, url, json={"fields": f, "version": version})
                for (client, _), f in zip(writers, fields, strict=True)
            )
        )
        codes = [r.status_code for r in results]
        stored = _response(app, occurrence_id)
        kept = _conflicts(app, stored.id)
        for (_, author_id), f, result in zip(writers, fields, results, strict=True):
            copy = (author_id, f, version)
            if result.status_code == 200 and stored.draft != f and copy not in kept:
                problems.append(f"trial {trial}: acknowledged save {f} stored nowhere ({codes})")
            elif result.status_code == 409 and copy not in kept:
                problems.append(f"trial {trial}: conflict without a kept copy ({codes})")
            elif result.status_code == 409 and result.json["yours"] != f:
                problems.append(f"trial {trial}: the conflict answer lost the text ({codes})")
        if sorted(codes) != [200, 409]:
            problems.append(f"trial {trial}: expected one save and one conflict, got {codes}")
        if stored.version != version + 1:
            problems.append(f"trial {trial}: version {version} -> {stored.version}")
    return problems


def test_two_tabs_autosaving_one_version_keep_both_texts(app, site):
    occurrence_id = new_occurrence(app, site)
    tabs = [(_client(app, site.a), site.ids["a"]) for _ in range(2)]
    problems = _autosave_race(app, occurrence_id, tabs, "p_private")
    assert_no_problems(problems)


def test_both_partners_autosaving_a_joint_answer_keep_both_texts(app, site):
    occurrence_id = new_occurrence(app, site, prompts=JOINT_PROMPTS, template_mode="joint")
    partners = [(_client(app, site.a), site.ids["a"]), (_client(app, site.b), site.ids["b"])]
    problems = _autosave_race(app, occurrence_id, partners, "p_plan")
    assert_no_problems(problems)


def _same_browser(app, email: str):
    """Two clients carrying one login, as two clicks in one browser tab do."""
    first = _client(app, email)
    second = app.test_client()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    second.set_cookie(cookie_name, first.get_cookie(cookie_name).value)
    return first, second


def test_double_clicked_submit_answers_twice_as_the_first_click_did(app, site):
    clicks = _same_browser(app, site.a)
    problems = []
    for trial in range(TRIALS):
        occurrence_id = new_occurrence(app, site)
        if trial % 2:  # half the trials start from a saved draft, half from nothing
            clicks[0].post(
                f"/homework/{occurrence_id}/draft",
                json={"fields": {"p_private": ["a start"]}, "version": 0},
            )
        current = _response(app, occurrence_id)
        version = str(current.version if current else 0)
        fields = answers(f"t{trial}")
        data = form_of(fields, action="submit", version=version, idempotency_key=key())
        results = race(*(partial(c.post, f"/homework/{occurrence_id}", data=data) for c in clicks))
        codes = [r.status_code for r in results]
        stored = _response(app, occurrence_id)
        with app.app_context():
            submissions = db.session.scalar(
                select(func.count()).where(Submission.response_id == stored.id)
            )
        if codes != [302, 302] or len({r.headers.get("Location") for r in results}) != 1:
            problems.append(f"trial {trial}: answers differ: {codes}")
        if submissions != 1 or stored.status != "submitted":
            problems.append(f"trial {trial}: {submissions} submissions, {stored.status}")
        if _conflicts(app, stored.id):
            problems.append(f"trial {trial}: a conflict copy was made")
    assert_no_problems(problems)


def test_double_clicked_submit_with_a_mistake_answers_twice_with_the_same_errors(app, site):
    clicks = _same_browser(app, site.a)
    problems = []
    for trial in range(TRIALS):
        occurrence_id = new_occurrence(app, site)
        fields = answers(f"t{trial}") | {"p_close": ["11"]}
        data = form_of(fields, action="submit", version="0", idempotency_key=key())
        results = race(*(partial(c.post, f"/homework/{occurrence_id}", data=data) for c in clicks))
        codes = [r.status_code for r in results]
        stored = _response(app, occurrence_id)
        if codes != [422, 422]:
            problems.append(f"trial {trial}: answers differ: {codes}")
        if stored.draft != fields or _conflicts(app, stored.id):
            problems.append(f"trial {trial}: the draft changed, or a conflict copy was made")
    assert_no_problems(problems)
