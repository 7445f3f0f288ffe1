"""Invitation pages over HTTP: a corrected address, an address known elsewhere, dead links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, login, make_user
from tests.mailbox import latest_link_in
from therapy_portal.extensions import db
from therapy_portal.models import Invitation, Practice, Role

COUPLE = {
    "display_name": "Invited Pair",
    "partner_a_name": "Ivy Invited",
    "partner_a_email": "ivy@exmaple.com",
    "confidentiality_policy": "no_secrets",
    "policy_agreed_on": "2026-09-09",
    "co_therapist_id": "0",
}
PASSWORD_FORM = {"password": "my own long phrase", "confirm": "my own long phrase"}
ASK_FOR_A_NEW_LINK = b"ask your therapist or practice for a new link"


@pytest.fixture
def therapist_client(client, world):
    login(client, world.emails["therapist"])
    return client


def test_correcting_an_address_tells_the_therapist_and_kills_the_old_link(app, therapist_client):
    couple_url = therapist_client.post("/couples/new", data=COUPLE).headers["Location"]
    old_link = latest_link_in(app, "ivy@exmaple.com")
    corrected = {**COUPLE, "partner_a_email": "ivy@example.com"}
    page = therapist_client.post(couple_url + "/edit", data=corrected, follow_redirects=True)
    assert b"the invitation sent to the old address no longer works" in page.data
    assert b"No working invitation" in page.data and b"Re-send invitation" in page.data
    assert b"Invitation sent, not yet accepted" not in page.data
    therapist_client.post("/logout")

    stranger = app.test_client()
    dead = stranger.get(old_link)
    assert dead.status_code == 410 and b"was withdrawn" in dead.data
    assert ASK_FOR_A_NEW_LINK in dead.data.lower()
    assert stranger.post(old_link, data=PASSWORD_FORM).status_code == 410
    assert login(stranger, "ivy@exmaple.com", PASSWORD_FORM["password"]).status_code == 401
    assert login(stranger, "ivy@example.com", PASSWORD_FORM["password"]).status_code == 401


def _add_couple_as_far_therapist(app, world, email: str):
    client = app.test_client()
    login(client, world.emails["far_therapist"])
    response = client.post("/couples/new", data={**COUPLE, "partner_a_email": email})
    page = client.get(response.headers["Location"])
    return response, page


def test_another_practice_gets_the_same_answer_for_a_known_and_a_new_address(app, world):
    known, known_page = _add_couple_as_far_therapist(app, world, world.emails["partner_a"])
    new, new_page = _add_couple_as_far_therapist(app, world, "someone.new@example.com")
    assert known.status_code == new.status_code == 302
    for page in (known_page, new_page):
        assert b"Each partner has been sent their own invitation." in page.data
        assert b"Invitation sent, not yet accepted" in page.data
        assert b"already" not in page.data


def test_another_practices_admin_gets_the_same_answer_too(app, world):
    with app.app_context():
        far_practice = db.session.scalar(select(Practice).where(Practice.name == "Practice Two"))
        admin_email = make_user(far_practice, Role.ADMIN).email
        db.session.commit()
    client = app.test_client()
    login(client, admin_email)
    answers = [
        client.post(
            "/admin/therapists", data={"name": "Robin", "email": email}, follow_redirects=True
        )
        for email in (world.emails["partner_a"], "robin.new@example.com")
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert b"Invitation sent. The link works once and expires in 14 days." in answer.data
        assert b"already has an account" not in answer.data


def test_a_link_to_an_address_that_joined_elsewhere_says_what_to_do(app, world):
    _add_couple_as_far_therapist(app, world, "both.places@example.com")
    link = latest_link_in(app, "both.places@example.com")
    with app.app_context():
        make_user(db.session.get(Practice, 1), Role.CLIENT, email="both.places@example.com")
        db.session.commit()
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 410 and b"already has an account" in page.data
    assert b"give your therapist or practice a different email address" in page.data
    assert client.post(link, data=PASSWORD_FORM).status_code == 410
    assert login(client, "both.places@example.com", PASSWORD).status_code == 302


def test_an_expired_link_asks_for_a_new_one_and_names_the_lifetime(app, therapist_client):
    therapist_client.post("/couples/new", data=COUPLE)
    link = latest_link_in(app, "ivy@exmaple.com")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        invitation.created_at -= timedelta(days=15)
        invitation.expires_at -= timedelta(days=15)
        db.session.commit()
    page = app.test_client().get(link)
    assert page.status_code == 410 and b"has expired" in page.data
    assert b"work for 14 days" in page.data and ASK_FOR_A_NEW_LINK in page.data.lower()
