"""Note pages over HTTP: bad input keeps the text, autosave and conflicts, signing, PDF download."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import clock
from tests.factories import login
from tests.notes.factories import make_note
from tests.notes.test_signing import tamper
from therapy_portal.extensions import db
from therapy_portal.models.notes import SessionNote


@pytest.fixture
def web(people, client):
    """The people committed, and the therapist logged in."""
    ids = {k: v.id for k, v in people.items()}
    emails = {k: v.email for k, v in people.items() if hasattr(v, "email")}
    db.session.commit()
    assert login(client, emails["therapist"]).status_code == 302
    return {"ids": ids, "emails": emails, "client": client}


def _facts(**overrides) -> dict:
    data = {
        "session_date": (clock.today() - timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "end_time": "10:50",
        "attendees": "both",
        "service_code": "90847",
        "modality": "in_person",
    }
    data.update(overrides)
    return data


def _draft_form(note: SessionNote, **overrides) -> dict:
    data = _facts(session_date=note.session_date.isoformat())
    data.update(
        {
            "version": str(note.version),
            "section_data": "Partners described the week.",
            "section_assessment": "Engaged.",
            "section_plan": "Continue.",
            "interventions": "",
            "risk_screening": "",
            "next_session": "",
            "digest": "",
        }
    )
    data.update(overrides)
    return data


def test_starting_a_note_opens_the_draft_with_each_section_and_its_guidance(web):
    client = web["client"]
    couple_id = web["ids"]["couple"]
    page = client.get(f"/couples/{couple_id}/notes/new")
    assert page.status_code == 200 and b"<h1>New session note</h1>" in page.data
    response = client.post(f"/couples/{couple_id}/notes/new", data={**_facts(), "format": "birp"})
    assert response.status_code == 302
    edit = client.get(response.headers["Location"])
    text = edit.get_data(as_text=True)
    for title in ("Behavior", "Intervention", "Response", "Plan"):
        assert f">{title}</label>" in text
    assert "How each partner responded to the interventions." in text
    assert 'data-autosave-url="/notes/' in text and "notes-autosave.js" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"session_date": ""}, "Enter the session date."),
        (
            {"session_date": (clock.today() + timedelta(days=3)).isoformat()},
            "The session date can&#39;t be in the future.",
        ),
        (
            {"start_time": "11:00", "end_time": "10:15"},
            "The end time must be after the start time.",
        ),
    ],
)
def test_bad_session_facts_re_render_with_the_message_and_the_input(web, changes, message):
    response = web["client"].post(
        f"/couples/{web['ids']['couple']}/notes/new", data={**_facts(**changes), "format": "dap"}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert 'value="10:50"' in text or 'value="10:15"' in text  # what was typed is still there


def test_saving_a_draft_with_an_end_before_start_keeps_every_word(web):
    note = _note(web)
    response = web["client"].post(
        f"/notes/{note.id}/edit",
        data=_draft_form(
            note, start_time="12:00", end_time="11:00", section_data="A long paragraph kept."
        ),
    )
    assert response.status_code == 422
    assert "A long paragraph kept." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SessionNote, note.id).sections["data"] != "A long paragraph kept."


def _couple(web):
    from therapy_portal.models import Couple

    return db.session.get(Couple, web["ids"]["couple"])


def _note(web, **kwargs) -> SessionNote:
    from therapy_portal.models import User

    note = make_note(db.session.get(User, web["ids"]["therapist"]), _couple(web), **kwargs)
    db.session.commit()
    return note


def test_autosave_saves_json_and_returns_the_new_version(web):
    note = _note(web)
    before = note.version
    response = web["client"].post(
        f"/notes/{note.id}/autosave", json={"fields": _draft_form(note, section_data="Autosaved.")}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "saved" and body["version"] == before + 1
    db.session.expire_all()
    assert db.session.get(SessionNote, note.id).sections["data"] == "Autosaved."


def test_a_stale_autosave_is_409_and_returns_the_saved_text_to_keep_both(web):
    note = _note(web)
    client = web["client"]
    stale = _draft_form(note)
    before = note.version
    first = client.post(
        f"/notes/{note.id}/autosave", json={"fields": {**stale, "section_data": "From tab one."}}
    )
    assert first.status_code == 200
    response = client.post(
        f"/notes/{note.id}/autosave", json={"fields": {**stale, "section_data": "From tab two."}}
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == "conflict" and body["server_version"] == before + 1
    assert ["Data", "From tab one."] in body["server"]["fields"]
    db.session.expire_all()
    assert db.session.get(SessionNote, note.id).sections["data"] == "From tab one."


def test_a_stale_form_save_shows_both_versions(web):
    note = _note(web)
    client = web["client"]
    stale = _draft_form(note)
    client.post(f"/notes/{note.id}/edit", data={**stale, "section_data": "Saved first."})
    response = client.post(f"/notes/{note.id}/edit", data={**stale, "section_data": "Mine."})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved first." in text and "Mine." in text and "The saved version" in text


def test_autosave_with_invalid_input_is_422_and_saves_nothing(web):
    note = _note(web)
    response = web["client"].post(
        f"/notes/{note.id}/autosave", json={"fields": _draft_form(note, session_date="not a date")}
    )
    assert response.status_code == 422 and "session_date" in response.get_json()["errors"]


def test_signing_an_empty_note_says_so_and_keeps_the_form(web):
    from tests.notes.factories import facts
    from therapy_portal.models import User
    from therapy_portal.notes import services

    note = services.create_note(
        db.session.get(User, web["ids"]["therapist"]), _couple(web), facts()
    )
    db.session.commit()
    response = web["client"].post(
        f"/notes/{note.id}/sign",
        data=_draft_form(
            note, section_data="", section_assessment="", section_plan="", interventions="Kept."
        )
        | {"confirmed": "yes"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "This note is empty. Write at least one section before signing." in text
    assert "Kept." in text


def test_sign_then_detail_verifies_and_edit_redirects(web):
    note = _note(web)
    client = web["client"]
    response = client.post(f"/notes/{note.id}/sign", data=_draft_form(note) | {"confirmed": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == f"/notes/{note.id}"
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Signature verified" in page and "Signed by Robin Hale, LMFT" in page
    assert client.get(f"/notes/{note.id}/edit").status_code == 302


def test_editing_a_signed_note_is_refused_with_the_text_kept(web):
    note = _note(web, signed=True)
    response = web["client"].post(
        f"/notes/{note.id}/edit", data=_draft_form(note, section_data="A late change.")
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "This note is signed and can&#39;t be changed. Add an addendum instead." in text
    assert "A late change." in text


def test_an_addendum_to_a_draft_is_refused_with_the_text_kept(web):
    note = _note(web)
    response = web["client"].post(
        f"/notes/{note.id}/addenda",
        data={"kind": "correction", "reason": "Typo", "body": "My careful correction."},
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Addenda are for signed notes. Edit the draft instead." in text
    assert "My careful correction." in text


def test_addenda_show_in_order_under_the_note(web):
    note = _note(web, signed=True)
    client = web["client"]
    for n in (1, 2):
        assert (
            client.post(
                f"/notes/{note.id}/addenda",
                data={"kind": "clarification", "reason": f"Reason {n}", "body": f"Body {n}."},
            ).status_code
            == 302
        )
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert page.index("Addendum 1: Clarification") < page.index("Addendum 2: Clarification")


def test_a_tampered_note_shows_a_clear_warning(web):
    note = _note(web, signed=True)
    tamper("UPDATE session_note SET next_session = 'never' WHERE id = :id", id=note.id)
    db.session.expire_all()
    page = web["client"].get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Warning: this note failed its integrity check." in page


def test_insert_digest_adds_provider_text_to_the_draft(web, homework_provider):
    note = _note(web)
    response = web["client"].post(
        f"/notes/{note.id}/digest", data=_draft_form(note, digest="Own words.")
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(SessionNote, note.id).digest
    assert saved.startswith("Own words.") and "Overdue: State of us check-in" in saved


def test_pdf_download_has_a_nameless_filename_and_no_store(web):
    note = _note(web, signed=True)
    response = web["client"].get(f"/notes/{note.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-note-{note.id}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF-")


def test_a_pdf_that_cannot_be_made_gives_a_clear_503(app, web):
    note = _note(web, signed=True)
    app.config["NOTE_PDF_TIMEOUT_S"] = 0.001
    response = web["client"].get(f"/notes/{note.id}/pdf")
    assert response.status_code == 503
    assert "The PDF could not be made" in response.get_data(as_text=True)


def test_other_therapists_and_partners_get_404_for_a_note(web, client):
    note = _note(web)
    client.post("/logout")
    login(client, web["emails"]["outsider"])
    assert client.get(f"/notes/{note.id}").status_code == 404
    assert client.get(f"/notes/{note.id}/pdf").status_code == 404


def test_co_therapist_reads_but_cannot_edit_the_authors_draft(web, client):
    note = _note(web)
    client.post("/logout")
    login(client, web["emails"]["co"])
    assert client.get(f"/notes/{note.id}").status_code == 200
    assert client.get(f"/notes/{note.id}/edit").status_code == 302
    response = client.post(f"/notes/{note.id}/edit", data=_draft_form(note))
    assert response.status_code == 409


@pytest.mark.parametrize("url", ["/couples/{couple}/notes", "/notes"])
def test_note_lists_use_the_same_queries_for_2_and_30_notes(app, web, count_queries, url):
    from therapy_portal.models import Couple, User

    client = web["client"]
    target = url.format(couple=web["ids"]["couple"])
    therapist = db.session.get(User, web["ids"]["therapist"])
    couple = db.session.get(Couple, web["ids"]["couple"])
    for days in range(2):
        make_note(
            therapist,
            couple,
            signed=True,
            addenda=1,
            session_date=clock.today() - timedelta(days=days + 1),
        )
    db.session.commit()
    client.get(target)
    with count_queries() as small:
        assert client.get(target).status_code == 200
    for days in range(28):
        make_note(therapist, couple, session_date=clock.today() - timedelta(days=days + 5))
    db.session.commit()
    with count_queries() as large:
        page = client.get(target)
    text = page.get_data(as_text=True)
    # A couple's list is counted; the caseload's is not (it grows for years): it pages on.
    assert page.status_code == 200 and (
        "30 notes" in text if "{couple}" in url else "after=" in text
    )
    assert small.count == large.count


def test_empty_note_list_says_what_to_do(web):
    page = web["client"].get(f"/couples/{web['ids']['couple']}/notes").get_data(as_text=True)
    assert "No session notes yet." in page and "New session note" in page


def test_signing_asks_first_and_the_question_carries_the_text(web):
    note = _note(web)
    client = web["client"]
    response = client.post(f"/notes/{note.id}/sign", data=_draft_form(note, section_plan="Ask."))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Sign this note?</h1>" in page
    assert 'name="section_plan" value="Ask."' in page and 'name="confirmed" value="yes"' in page
    db.session.expire_all()
    assert db.session.get(SessionNote, note.id).status == "draft"


def test_deleting_a_draft_asks_first_then_deletes(web):
    note = _note(web)
    client = web["client"]
    response = client.post(f"/notes/{note.id}/delete")
    assert response.status_code == 200 and "<h1>Delete this draft?</h1>" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(SessionNote, note.id) is not None
    response = client.post(f"/notes/{note.id}/delete", data={"confirmed": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/couples/{note.couple_id}/notes"
    db.session.expire_all()
    assert db.session.get(SessionNote, note.id) is None
