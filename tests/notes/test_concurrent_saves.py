"""Real concurrent saves of one session-note draft: two tabs of the therapist, at the same moment.

Each request runs in its own thread with its own test client (its own app context, session and
database connection), released together by a barrier, many times over. The winner's text is the
draft; the loser gets the conflict answer (never a 500) with its text kept on its page.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from html import escape

import pytest

from tests import clock
from tests.factories import login
from tests.notes.factories import make_note
from tests.races import RACE_MARKS, TRIALS, assert_no_problems, race
from therapy_portal.extensions import db
from therapy_portal.models.notes import SessionNote

pytestmark = RACE_MARKS


@pytest.fixture
def app_overrides(app_overrides) -> dict:
    """An unhandled error answers 500, as in production, instead of failing the thread."""
    return {**app_overrides, "PROPAGATE_EXCEPTIONS": False}


def _fields(version: int, text: str) -> dict:
    return {
        "session_date": (clock.today() - timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "end_time": "10:50",
        "attendees": "both",
        "service_code": "90847",
        "modality": "in_person",
        "version": str(version),
        "section_data": text,
        "section_assessment": "Engaged.",
        "section_plan": "Continue.",
        "interventions": "",
        "risk_screening": "",
        "next_session": "",
        "digest": "",
    }


@pytest.fixture
def tabs(app, people):
    """A draft note, and two browser tabs of its therapist (two logins)."""
    note = make_note(people["therapist"], people["couple"])
    db.session.commit()
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        with app.app_context():  # a fresh `g`: the test's own context remembers who logged in
            assert login(client, people["therapist"].email).status_code == 302
    return note.id, clients


def _stored(note_id: int) -> SessionNote:
    db.session.expire_all()
    return db.session.get(SessionNote, note_id)


def _post(client, note_id: int, fields: dict, as_json: bool):
    if as_json:
        return partial(client.post, f"/notes/{note_id}/autosave", json={"fields": fields})
    return partial(client.post, f"/notes/{note_id}/edit", data=fields)


@pytest.mark.parametrize("as_json", [True, False], ids=["autosave", "save-button"])
def test_two_tabs_saving_one_note_version_one_wins_the_other_keeps_its_text(tabs, as_json):
    note_id, clients = tabs
    problems = []
    for trial in range(TRIALS):
        version = _stored(note_id).version
        texts = [f"Tab {n} wrote this in trial {trial}." for n in range(2)]
        results = race(
            *(
                _post(c, note_id, _fields(version, t), as_json)
                for c, t in zip(clients, texts, strict=True)
            )
        )
        codes = [r.status_code for r in results]
        stored = _stored(note_id).sections["data"]
        saved = 200 if as_json else 302
        if sorted(codes) != sorted([saved, 409]):
            problems.append(f"trial {trial}: expected one save and one conflict, got {codes}")
        for text, result in zip(texts, results, strict=True):
            if result.status_code == saved and stored != text:
                problems.append(f"trial {trial}: an acknowledged save is stored nowhere")
            if result.status_code == 409 and not as_json:
                page = result.get_data(as_text=True)
                if escape(text) not in page or "The saved version" not in page:
                    problems.append(f"trial {trial}: the conflict page lost the text")
            if result.status_code == 409 and as_json:
                body = result.get_json()
                if body["status"] != "conflict" or ["Data", stored] not in body["server"]["fields"]:
                    problems.append(f"trial {trial}: the conflict answer is incomplete")
    assert_no_problems(problems)
