"""Invitations: single use, expire after 14 days, re-sending replaces, closed couples refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import login
from tests.mailbox import latest_link_in
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Invitation

NEW = {
    "display_name": "Invited Pair",
    "partner_a_name": "Ivy Invited",
    "partner_a_email": "ivy@example.com",
    "confidentiality_policy": "no_secrets",
    "policy_agreed_on": "2026-09-09",
    "co_therapist_id": "0",
}
PASSWORD_FORM = {"password": "my own long phrase", "confirm": "my own long phrase"}


@pytest.fixture
def invited(app, client, world):
    login(client, world.emails["therapist"])
    couple_url = client.post("/couples/new", data=NEW).headers["Location"]
    client.post("/logout")
    return couple_url, _latest_link(app, "ivy@example.com")


def _latest_link(app, email) -> str:
    return latest_link_in(app, email)


def test_partner_chooses_a_password_and_lands_on_an_empty_homework_page(client, invited):
    _, link = invited
    page = client.get(link)
    assert page.status_code == 200 and b"ivy@example.com" in page.data
    response = client.post(link, data=PASSWORD_FORM, follow_redirects=True)
    assert b"<h1>My homework</h1>" in response.data
    assert b"Nothing here yet." in response.data
    client.post("/logout")
    assert login(client, "ivy@example.com", "my own long phrase").status_code == 302


def test_invitation_works_once_and_a_second_device_is_told_what_to_do(client, invited):
    _, link = invited
    client.post(link, data=PASSWORD_FORM)
    again = client.get(link)
    assert again.status_code == 410
    assert (
        b"already been used" in again.data and b"Log in with your email and password" in again.data
    )


def test_weak_or_mismatched_passwords_get_messages(client, invited):
    _, link = invited
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert b"Use at least 12 characters." in short.data
    mismatch = client.post(
        link, data={"password": "my own long phrase", "confirm": "different phrase"}
    )
    assert b"The passwords differ." in mismatch.data
    common = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert b"too common" in common.data


def test_expired_invitation_explains_how_to_get_a_new_one(app, client, invited):
    _, link = invited
    with app.app_context():
        for invitation in db.session.scalars(select(Invitation)):
            invitation.created_at -= timedelta(days=15)
            invitation.expires_at -= timedelta(days=15)
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 410 and b"has expired" in response.data


def test_resending_replaces_the_old_link(app, client, world, invited):
    couple_url, old_link = invited
    login(client, world.emails["therapist"])
    client.post(couple_url + "/partners/A/resend")
    client.post("/logout")
    new_link = _latest_link(app, "ivy@example.com")
    assert new_link != old_link
    replaced = client.get(old_link)
    assert replaced.status_code == 410 and b"replaced by a newer one" in replaced.data
    assert client.get(new_link).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.resend"))


def test_invitation_for_a_closed_couple_cannot_be_used(client, world, invited):
    couple_url, link = invited
    login(client, world.emails["therapist"])
    client.post(couple_url + "/close", data={"confirmed": "yes"})
    client.post("/logout")
    response = client.get(link)
    assert response.status_code == 410 and b"can no longer be used" in response.data
    assert client.post(link, data=PASSWORD_FORM).status_code == 410


def test_unknown_or_tampered_token(client, invited):
    _, link = invited
    response = client.get(link[:-3] + "xyz")
    assert response.status_code == 410 and b"recognise this link" in response.data


def test_only_a_hash_of_the_token_is_stored(app, invited):
    _, link = invited
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        for invitation in db.session.scalars(select(Invitation)):
            assert token not in invitation.token_hash
