"""Bad input never causes a 500: each gets a clear message and the text typed is kept."""

from __future__ import annotations

from html import unescape

import pytest

from tests.homework.helpers import form_of, new_occurrence


@pytest.mark.parametrize(
    "data",
    [
        {"action": "save", "version": "not-a-number"},
        {"action": "submit", "version": "0", "idempotency_key": ""},
        {"action": "submit", "version": "0", "idempotency_key": "x" * 500},
        {"action": "bogus", "version": "0", "p_close": ["999"]},
        {"action": "save", "version": "0", "p_things-7": ["beyond the list"]},
    ],
)
def test_odd_answer_posts_get_a_message_not_a_500(app, site, as_user, data):
    occurrence_id = new_occurrence(app, site)
    fields = {k: v for k, v in data.items() if k.startswith("p_")}
    extra = {k: v for k, v in data.items() if not k.startswith("p_")}
    response = as_user(site.a).post(
        f"/homework/{occurrence_id}", data=form_of(fields | {"p_private": ["keep me"]}, **extra)
    )
    assert response.status_code in (302, 409, 422)
    if response.status_code != 302:
        assert "keep me" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"fields": [], "version": 0},
        {"fields": {}, "version": "1"},
        {"fields": {"p_private": [1, 2]}, "version": 0},
    ],
)
def test_odd_autosave_bodies_get_json_errors(app, site, as_user, body):
    occurrence_id = new_occurrence(app, site)
    response = as_user(site.a).post(f"/homework/{occurrence_id}/draft", json=body)
    assert response.status_code in (200, 400)
    assert response.is_json


def test_huge_draft_is_refused_with_a_message(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    response = as_user(site.a).post(
        f"/homework/{occurrence_id}/draft",
        json={"fields": {"p_private": ["x" * 450_000]}, "version": 0},
    )
    assert response.status_code == 422 and "characters" in response.json["message"]


@pytest.mark.parametrize("action", ["up-99", "down-x", "remove-", "remove--1", "add"])
def test_odd_builder_actions_are_harmless(app, site, as_user, action):
    response = as_user(site.therapist).post(
        "/homework/templates/new",
        data={
            "title": "Kept title",
            "family": "gratitude",
            "instructions": "x",
            "default_mode": "each_partner",
            "default_cadence": "once",
            "add_type": "nonsense",
            "action": action,
        },
    )
    assert response.status_code == 200 and "Kept title" in response.get_data(as_text=True)


def test_assign_with_unknown_mode_and_visibility_is_explained(app, site, as_user):
    from tests.homework.test_assignment_review_http import _assign_data, _practice_template

    template_id, version = _practice_template(app, site)
    response = as_user(site.therapist).post(
        f"/homework/couples/{site.couple_id}/assign?template_id={template_id}",
        data=_assign_data(version, mode="solo", vis_after_both="everyone", note="Kept note"),
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and "Kept note" in html
    assert "Not a valid choice" in html


def test_bad_dates_for_reschedule_and_extend_are_explained(app, site, as_user):
    from sqlalchemy import select

    from therapy_portal.extensions import db
    from therapy_portal.models.homework import Occurrence

    occurrence_id = new_occurrence(app, site, cadence="weekly", due_in=1, ends_in=8)
    with app.app_context():
        assignment_id = db.session.scalar(
            select(Occurrence.assignment_id).where(Occurrence.id == occurrence_id)
        )
    client = as_user(site.therapist)
    due = client.post(
        f"/homework/occurrences/{occurrence_id}/due", data={"due_on": "soon"}, follow_redirects=True
    )
    assert "Enter a date" in unescape(due.get_data(as_text=True)) or "Not a valid date" in unescape(
        due.get_data(as_text=True)
    )
    extend = client.post(
        f"/homework/assignments/{assignment_id}/extend", data={"ends_on": ""}, follow_redirects=True
    )
    assert "Enter a date" in unescape(extend.get_data(as_text=True))
