"""Password reset by email: same answer for every address, a hashed single-use 30-minute link
that still asks for the second factor, ends every session, and is followed by a notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import login, totp_code
from tests.mailbox import RESET, latest_link_in
from therapy_portal.extensions import db
from therapy_portal.models import AccountToken, AuditEvent, OutboxEmail, User, utcnow

NEW = "a brand new sentence for me"


def _ask(client, email: str):
    return client.post("/password/forgot", data={"email": email})


def _link(app, email: str) -> str:
    return latest_link_in(app, email, RESET)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, client, world):
    known = _ask(client, world.emails["partner_a"])
    unknown = _ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.data == unknown.data
    with app.app_context():
        assert [e.to_address for e in db.session.scalars(select(OutboxEmail))] == [
            world.emails["partner_a"]
        ]


def test_only_a_hash_of_the_token_is_stored(app, client, world):
    _ask(client, world.emails["partner_a"])
    token = _link(app, world.emails["partner_a"]).rsplit("/", 1)[1]
    with app.app_context():
        row = db.session.scalar(select(AccountToken))
        assert token not in row.token_hash and len(row.token_hash) == 64
        # counted from delivery, which happened just now
        assert timedelta(minutes=29) < row.expires_at - utcnow() <= timedelta(minutes=30)


def test_a_partner_resets_once_every_session_ends_and_a_notice_follows(app, world):
    email = world.emails["partner_a"]
    signed_in = app.test_client()
    login(signed_in, email)
    client = app.test_client()
    _ask(client, email)
    link = _link(app, email)
    page = client.get(link)
    assert page.status_code == 200 and b'name="code"' not in page.data
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert signed_in.get("/home").status_code == 302  # the other session ended
    assert client.get(link).status_code == 410  # the link worked once
    again = client.post(link, data={"password": NEW + "!", "confirm": NEW + "!"})
    assert again.status_code == 410
    assert login(client, email, NEW).status_code == 302
    with app.app_context():
        subjects = db.session.scalars(
            select(OutboxEmail.subject).where(OutboxEmail.to_address == email)
        ).all()
        assert "Your Therapy Portal password was changed" in subjects
        assert (
            db.session.scalar(
                select(AuditEvent).where(AuditEvent.action == "auth.password_reset")
            ).outcome
            == "success"
        )


def test_the_link_expires(app, client, world):
    email = world.emails["partner_a"]
    _ask(client, email)
    link = _link(app, email)
    with app.app_context():
        row = db.session.scalar(select(AccountToken))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 410


def test_a_newer_link_replaces_the_older_one(app, client, world):
    email = world.emails["partner_a"]
    _ask(client, email)
    first = _link(app, email)
    _ask(client, email)
    assert client.get(first).status_code == 410
    assert client.get(_link(app, email)).status_code == 200


def test_the_reset_still_asks_for_the_second_factor(app, client, world):
    email = world.emails["therapist"]
    _ask(client, email)
    link = _link(app, email)
    page = client.get(link)
    assert b'name="code"' in page.data
    refused = client.post(link, data={"password": NEW, "confirm": NEW})
    assert refused.status_code == 200 and b"That code is not right" in refused.data
    wrong = client.post(link, data={"password": NEW, "confirm": NEW, "code": "000000"})
    assert b"That code is not right" in wrong.data
    with app.app_context():
        assert db.session.get(User, world.ids["therapist"]).password_changed_at is None
    done = client.post(link, data={"password": NEW, "confirm": NEW, "code": totp_code(app, email)})
    assert done.status_code == 302
    # And signing in with the new password asks for the second factor again.
    step = client.post("/login", data={"email": email, "password": NEW})
    assert step.location.endswith("/login/verify")
    assert client.get("/couples").status_code == 302


def test_too_many_wrong_codes_spend_the_link(app, client, world):
    app.config["MFA_MAX_CODE_ATTEMPTS"] = 2
    email = world.emails["therapist"]
    _ask(client, email)
    link = _link(app, email)
    for _ in range(2):
        client.post(link, data={"password": NEW, "confirm": NEW, "code": "000000"})
    assert client.get(link).status_code == 410


def test_a_weak_new_password_is_refused_and_the_link_still_works(app, client, world):
    email = world.emails["partner_a"]
    _ask(client, email)
    link = _link(app, email)
    weak = client.post(link, data={"password": "qwerty123456", "confirm": "qwerty123456"})
    assert b"too common" in weak.data
    assert client.get(link).status_code == 200


def test_the_login_page_links_to_the_reset(client):
    assert b'href="/password/forgot"' in client.get("/login").data
