"""A partner answering over HTTP: pages, draft saving with and without JS, conflicts, submit."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.homework.factories import answers, key
from tests.homework.helpers import form_of, new_occurrence
from therapy_portal.extensions import db
from therapy_portal.models import UserSession
from therapy_portal.models.homework import Assignment, Occurrence, Response, Submission


def _version(page: bytes) -> str:
    return re.search(rb'name="version"[^>]*value="(\d+)"', page).group(1).decode()


def _key(page: bytes) -> str:
    return re.search(rb'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1).decode()


def test_answer_page_shows_prompts_limits_and_who_sees_each_answer(app, site, as_user):
    occurrence_id = new_occurrence(app, site, note="Take your time.")
    page = as_user(site.a).get(f"/homework/{occurrence_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<h1>") == 1 and "<title>Test exercise" in html
    assert "Only your therapist will see this answer. Your partner will not." in html
    assert "Your partner will see this answer once you have both submitted." in html
    assert "Up to 500 characters." in html
    assert "Take your time." in html
    assert 'for="p_private"' in html and "Save draft" in html and "Submit" in html
    assert "autosave.js" in html and "<script>" not in html  # no inline script (CSP)
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_save_draft_button_without_js_keeps_text_and_reloads_it(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").data
    response = client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            {"p_after_both": ["Half a thought"]},
            action="save",
            version=_version(page),
            idempotency_key=_key(page),
        ),
    )
    assert response.status_code == 302
    again = client.get(f"/homework/{occurrence_id}").get_data(as_text=True)
    assert "Half a thought" in again and "Draft saved." in again


def test_autosave_endpoint_saves_and_returns_the_new_version(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    saved = client.post(
        f"/homework/{occurrence_id}/draft", json={"fields": {"p_private": ["typed"]}, "version": 0}
    )
    assert saved.status_code == 200 and saved.json["version"] == 1
    loaded = client.get(f"/homework/{occurrence_id}/draft").json
    assert loaded["fields"] == {"p_private": ["typed"]} and loaded["version"] == 1


def test_autosave_rejects_a_malformed_body_clearly(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    bad = as_user(site.a).post(f"/homework/{occurrence_id}/draft", json={"fields": "x"})
    assert bad.status_code == 400 and "still on the page" in bad.json["message"]


def test_two_tabs_never_overwrite_silently(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    client.post(
        f"/homework/{occurrence_id}/draft",
        json={"fields": {"p_private": ["from tab one"]}, "version": 0},
    )
    stale = client.post(
        f"/homework/{occurrence_id}/draft",
        json={"fields": {"p_private": ["from tab two"]}, "version": 0},
    )
    assert stale.status_code == 409
    assert stale.json["fields"] == {"p_private": ["from tab one"]}
    assert stale.json["yours"] == {"p_private": ["from tab two"]}
    page = client.get(f"/homework/{occurrence_id}").get_data(as_text=True)
    assert "from tab one" in page and "from tab two" in page
    assert "Text kept from another window" in page


def test_stale_save_draft_button_shows_both_texts_with_409(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    client.post(
        f"/homework/{occurrence_id}/draft",
        json={"fields": {"p_private": ["saved elsewhere"]}, "version": 0},
    )
    response = client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            {"p_private": ["typed here"]}, action="save", version="0", idempotency_key=key()
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "saved elsewhere" in html and "typed here" in html
    assert "changed in another window" in html


def test_submitting_twice_creates_one_submission(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").data
    data = form_of(
        answers("A"), action="submit", version=_version(page), idempotency_key=_key(page)
    )
    first = client.post(f"/homework/{occurrence_id}", data=data)
    second = client.post(f"/homework/{occurrence_id}", data=data)
    assert first.status_code == 302 and second.status_code == 302
    page = client.get(f"/homework/{occurrence_id}").get_data(as_text=True)
    assert "Submitted. Your therapist will see your answers." in page  # as the first click said
    assert "changed in another window" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_invalid_submission_keeps_text_and_explains_each_problem(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").data
    long_text = "w" * 600
    response = client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            answers("A") | {"p_private": [long_text], "p_close": ["12"], "p_after_both": [""]},
            action="submit",
            version=_version(page),
            idempotency_key=_key(page),
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert long_text in html
    assert "Please keep this to 500 characters or fewer (it has 600)." in html
    assert "Please choose a number from 0 to 10." in html
    assert "Please answer this question." in html
    assert "saved as a draft but not submitted" in html


def test_editing_a_submitted_answer_gets_a_clear_message(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").data
    client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            answers("A"), action="submit", version=_version(page), idempotency_key=_key(page)
        ),
    )
    response = client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            {"p_private": ["late edit"]}, action="save", version="2", idempotency_key=key()
        ),
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 409 and "submitted this, so it can't be edited" in html
    assert "late edit" in html
    json_try = client.post(
        f"/homework/{occurrence_id}/draft", json={"fields": {"p_private": ["x"]}, "version": 2}
    )
    assert json_try.status_code == 409 and "submitted this" in json_try.json["message"]


def test_answering_a_cancelled_assignment_gets_a_clear_message(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    with app.app_context():
        occurrence = db.session.get(Occurrence, occurrence_id)
        db.session.get(Assignment, occurrence.assignment_id).status = "cancelled"
        db.session.commit()
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").get_data(as_text=True)
    assert "cancelled this homework" in page and 'name="action"' not in page
    response = client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            {"p_private": ["kept words"]}, action="save", version="0", idempotency_key=key()
        ),
    )
    assert response.status_code == 409
    assert "cancelled this homework" in response.get_data(as_text=True)
    home = client.get("/home").get_data(as_text=True)
    assert "Cancelled by your therapist" in home


def test_expired_login_keeps_the_draft_and_returns_to_it(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").data
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            row.last_seen_at -= timedelta(hours=5)
        db.session.commit()
    response = client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            {"p_after_both": ["typed while logged out"]},
            action="save",
            version=_version(page),
            idempotency_key=_key(page),
        ),
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We kept what you typed" in login_page
    after = client.post(
        response.headers["Location"], data={"email": site.a, "password": "correct horse battery"}
    )
    assert after.headers["Location"] == f"/homework/{occurrence_id}"
    restored = client.get(f"/homework/{occurrence_id}").get_data(as_text=True)
    assert "typed while logged out" in restored
    assert "We restored what you typed before your session ended." in restored
    # Saving it now keeps it on the server as well.
    client.post(
        f"/homework/{occurrence_id}",
        data=form_of(
            {"p_after_both": ["typed while logged out"]},
            action="save",
            version=_version(restored.encode()),
            idempotency_key=key(),
        ),
    )
    with app.app_context():
        draft = db.session.scalar(select(Response.draft))
        assert draft == {"p_after_both": ["typed while logged out"]}


def test_home_sorts_due_soon_overdue_and_done(app, site, as_user):
    due = new_occurrence(app, site, due_in=2)
    late = new_occurrence(app, site, due_in=2)
    done = new_occurrence(app, site, due_in=1)
    with app.app_context():
        db.session.get(Occurrence, late).due_on -= timedelta(days=5)
        db.session.commit()
    client = as_user(site.a)
    page = client.get(f"/homework/{done}").data
    client.post(
        f"/homework/{done}",
        data=form_of(
            answers("A"), action="submit", version=_version(page), idempotency_key=_key(page)
        ),
    )
    html = client.get("/home").get_data(as_text=True)
    due_at, late_at, done_at = (html.index(f'/homework/{i}"') for i in (due, late, done))
    # "Due now" mixes overdue and upcoming work, soonest due first (issue 11).
    assert html.index("Due now") < late_at < due_at < html.index("Done") < done_at
    assert "Overdue" in html[late_at:due_at]
    assert "Submitted" in html


def test_home_empty_state(app, site, as_user):
    html = as_user(site.a).get("/home").get_data(as_text=True)
    assert "Nothing here yet." in html


def test_autosave_script_is_served_and_uses_no_storage(client):
    script = client.get("/static/autosave.js").get_data(as_text=True)
    assert "X-CSRFToken" in script and "localStorage" not in script
    assert "sessionStorage" not in script
    assert "1500" in script


def test_form_data_roundtrip_of_multidict(app):
    from therapy_portal.homework.services.common import clean_fields

    fields = clean_fields(
        [{"key": "x", "type": "list", "label": "L"}],
        MultiDict([("p_x-0", "a"), ("p_x-1", "b"), ("csrf_token", "t")]),
    )
    assert fields == {"p_x-0": ["a"], "p_x-1": ["b"]}
