"""With CSRF on: autosave needs the token in the X-CSRFToken header; forms keep text on expiry."""

from __future__ import annotations

import re

import pytest

from tests.factories import finish_login
from tests.notes.factories import make_note
from therapy_portal.extensions import db


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"WTF_CSRF_ENABLED": True, "NOTE_EXPORT_DIR": str(tmp_path / "exports")}


def _login_with_csrf(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": "correct horse battery", "csrf_token": token}
    )
    finish_login(client, response, email)


def _note(app, world, **kwargs):
    """Made in its own app context: requests must not share `g` (and its CSRF token) with it."""
    from therapy_portal.models import Couple, User

    with app.app_context():
        note = make_note(
            db.session.get(User, world.ids["therapist"]),
            db.session.get(Couple, world.couple_ids["c1"]),
            **kwargs,
        )
        db.session.commit()
        return note.id, note.session_date


def test_autosave_without_the_csrf_header_is_refused_and_with_it_saves(app, world, client):
    note_id, session_date = _note(app, world)
    _login_with_csrf(client, world.emails["therapist"])
    edit = client.get(f"/notes/{note_id}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', edit).group(1)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    fields = {
        "version": version,
        "session_date": session_date.isoformat(),
        "start_time": "10:00",
        "end_time": "10:50",
        "attendees": "both",
        "service_code": "90847",
        "modality": "in_person",
        "section_data": "Via header.",
    }
    refused = client.post(f"/notes/{note_id}/autosave", json={"fields": fields})
    assert refused.status_code == 400
    saved = client.post(
        f"/notes/{note_id}/autosave", json={"fields": fields}, headers={"X-CSRFToken": token}
    )
    assert saved.status_code == 200 and saved.get_json()["status"] == "saved"


def test_an_expired_form_token_re_renders_the_addendum_with_its_text(app, world, client):
    note_id, _ = _note(app, world, signed=True)
    _login_with_csrf(client, world.emails["therapist"])
    response = client.post(
        f"/notes/{note_id}/addenda",
        data={
            "kind": "correction",
            "reason": "Late",
            "body": "Words I must not lose.",
            "csrf_token": "stale",
        },
    )
    assert "Words I must not lose." in response.get_data(as_text=True)
    assert response.status_code in (400, 422)


def test_an_expired_partner_copy_form_keeps_the_ticked_parts_and_changes_nothing(
    app, world, client
):
    note_id, _ = _note(app, world, signed=True)
    _login_with_csrf(client, world.emails["therapist"])
    response = client.post(
        f"/notes/{note_id}/partner-copy",
        data={"parts": ["interventions", "section:plan"], "csrf_token": "stale"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "This form had expired" in page
    assert re.search(
        r'<input checked id="parts-\d+" name="parts" type="checkbox" value="interventions">', page
    )
    from therapy_portal.notes import copies

    with app.app_context():
        assert copies.marks([note_id]) == {}
