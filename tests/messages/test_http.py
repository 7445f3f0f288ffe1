"""Messages over HTTP with CSRF on: sending, refusals next to the field with the text kept, the
emergency note, receipts for therapists only, "handled", audit of every read, and partner B's
pages that stay the same whether or not partner A has a private thread."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import finish_login
from therapy_portal.extensions import db
from therapy_portal.messages import services
from therapy_portal.messages.crisis import DEFAULT_CRISIS_TEXT
from therapy_portal.models import AuditEvent, Couple, Practice, User
from therapy_portal.models.messages import BODY_LIMIT
from therapy_portal.policy import messages as rules

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# What differs between two loads of the same page: the CSRF token and the idle countdown.
VOLATILE = re.compile(r'name="csrf_token"[^>]*>|data-idle-seconds="\d+"')
SECRET = "CANARYHTTPPRIVATE9090"


@pytest.fixture
def app_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _login(client, email: str):
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": email, "password": "correct horse battery", "csrf_token": token}
    )
    finish_login(client, response, email)
    return client


def _post(client, url: str, body: str | None, token: bool = True):
    data = {} if body is None else {"body": body}
    if token:
        data["csrf_token"] = TOKEN.search(client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data=data)


def _therapist_url(world, scope="A") -> str:
    return f"/couples/{world.couple_ids['c1']}/messages/{scope}"


def test_a_partner_sends_privately_and_the_therapist_replies(app, world):
    a = _login(app.test_client(), world.emails["partner_a"])
    sent = _post(a, "/messages/private", SECRET)
    assert sent.status_code == 302 and sent.location.endswith("/messages/private")
    page = a.get("/messages/private").get_data(as_text=True)
    assert "Message sent." in page and SECRET in page and "Read by" not in page
    t = _login(app.test_client(), world.emails["therapist"])
    inbox = t.get("/messages/inbox").get_data(as_text=True)
    assert "Private: partner A" in inbox and "1 new" in inbox
    assert _post(t, _therapist_url(world), "Thank you, let's talk on Thursday.").status_code == 302
    thread = t.get(_therapist_url(world)).get_data(as_text=True)
    assert SECRET in thread and "Read by" in thread and "read by partner A" not in thread
    assert "Thank you, let&#39;s talk" in a.get("/messages/private").get_data(as_text=True)
    thread = t.get(_therapist_url(world)).get_data(as_text=True)
    assert thread.count("read by partner A") == 1  # the reply; never on A's own message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Write a message before sending."),
        (
            "z" * (BODY_LIMIT + 5),
            "Keep your message to 4,000 characters or fewer (this one has 4,005).",
        ),
    ],
)
def test_bad_input_is_shown_next_to_the_field_with_the_text_kept(app, world, body, message):
    a = _login(app.test_client(), world.emails["partner_a"])
    response = _post(a, "/messages/couple", body)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="body-error">{message}</p>' in page
    assert body in page  # nothing typed is lost
    assert "Plain text, up to 4,000 characters." in page


def test_a_message_to_a_closed_couple_is_refused_with_the_text_kept(app, world):
    """The couple is closed while the therapist was typing; a closed couple's page has no form."""
    t = _login(app.test_client(), world.emails["therapist"])
    url = _therapist_url(world, "couple")
    token = TOKEN.search(t.get(url).get_data(as_text=True)).group(1)
    with app.app_context():
        db.session.get(Couple, world.couple_ids["c1"]).status = "closed"
        db.session.commit()
    response = t.post(url, data={"body": "Are you both well?", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and services.CLOSED.replace("'", "&#39;") in page
    assert "Are you both well?" in page
    assert "Send message" not in t.get(url).get_data(as_text=True)


def test_an_expired_form_keeps_the_text_and_sends_nothing(app, world):
    a = _login(app.test_client(), world.emails["partner_a"])
    response = _post(a, "/messages/private", "Typed before the token expired", token=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Typed before the token expired" in page
    assert "This form had expired" in page
    assert (
        "Typed before" not in a.get("/messages/private").get_data(as_text=True).split("</form>")[1]
    )


def test_every_message_page_says_it_is_not_for_emergencies_with_the_crisis_text(app, world):
    a = _login(app.test_client(), world.emails["partner_a"])
    for url in ("/messages", "/messages/couple", "/messages/private"):
        page = a.get(url).get_data(as_text=True)
        assert "Messages are not for emergencies." in page and "988" in page
    with app.app_context():
        practice = db.session.get(User, world.ids["partner_a"]).practice
        db.session.get(Practice, practice.id).crisis_text = "Call the Harbor crisis line: 555-0100."
        db.session.commit()
    t = _login(app.test_client(), world.emails["therapist"])
    for url in (
        "/messages/inbox",
        f"/couples/{world.couple_ids['c1']}/messages",
        _therapist_url(world),
    ):
        page = t.get(url).get_data(as_text=True)
        assert "Call the Harbor crisis line: 555-0100." in page and DEFAULT_CRISIS_TEXT not in page


def _b_pages(client) -> dict[str, str]:
    pages = {}
    for url in ("/messages", "/messages/couple", "/messages/private", "/home"):
        pages[url] = VOLATILE.sub("", client.get(url).get_data(as_text=True))
    return pages


def test_partner_b_s_pages_are_the_same_whether_or_not_a_has_a_private_thread(app, world):
    b = _login(app.test_client(), world.emails["partner_b"])
    before = _b_pages(b)
    a = _login(app.test_client(), world.emails["partner_a"])
    _post(a, "/messages/private", SECRET)
    t = _login(app.test_client(), world.emails["therapist"])
    _post(t, _therapist_url(world), "A reply for A alone")
    assert _b_pages(b) == before
    with app.app_context():
        from therapy_portal.models import OutboxEmail

        to_b = db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == world.emails["partner_b"])
        ).all()
    assert to_b == []


def test_every_read_is_audited_without_phi(app, world):
    a = _login(app.test_client(), world.emails["partner_a"])
    _post(a, "/messages/private", SECRET)
    a.get("/messages/private")
    t = _login(app.test_client(), world.emails["therapist"])
    t.get(_therapist_url(world))
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "message.thread_view")
        ).all()
        seen = {(e.actor_id, e.couple_id) for e in events}
        assert (world.ids["partner_a"], world.couple_ids["c1"]) in seen
        assert (world.ids["therapist"], world.couple_ids["c1"]) in seen
        assert all(SECRET not in str(e.detail) for e in events)


def test_mark_as_handled_then_a_partner_message_reopens_it(app, world):
    a = _login(app.test_client(), world.emails["partner_a"])
    _post(a, "/messages/private", "Please call me about Thursday")
    t = _login(app.test_client(), world.emails["therapist"])
    token = TOKEN.search(t.get(_therapist_url(world)).get_data(as_text=True)).group(1)
    done = t.post(_therapist_url(world) + "/handled", data={"csrf_token": token})
    assert done.status_code == 302 and done.location.endswith("/messages/inbox")
    assert "Handled" in t.get("/messages/inbox").get_data(as_text=True)
    _post(a, "/messages/private", "One more thing")
    assert ">Open<" in t.get("/messages/inbox").get_data(as_text=True)


def test_a_couple_with_one_partner_has_no_thread_b(app, world):
    with app.app_context():
        from tests.factories import make_couple

        therapist = db.session.get(User, world.ids["therapist"])
        couple_id = make_couple(therapist, partners=1).id
        db.session.commit()
    t = _login(app.test_client(), world.emails["therapist"])
    assert t.get(f"/couples/{couple_id}/messages/B").status_code == 404
    assert t.get(f"/couples/{couple_id}/messages/A").status_code == 200


def test_the_place_loader_never_gives_a_partner_someone_else_s_thread(app, world):
    with app.app_context():
        b = db.session.get(User, world.ids["partner_b"])
        assert rules.thread_for_partner_or_404(b, "private").partner_id == b.id
