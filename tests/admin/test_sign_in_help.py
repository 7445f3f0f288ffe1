"""An admin helps with sign-in: end a person's sessions (the account stays active) and reset a
partner's lost second factor after finding them by email (ASVS 7.4.5, 6.4.4)."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, OutboxEmail, RecoveryCode, User


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    login(client, world.emails["admin"])
    return client


def _signed_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def _event(app, action: str) -> AuditEvent:
    with app.app_context():
        return db.session.scalar(select(AuditEvent).where(AuditEvent.action == action))


def test_end_all_sessions_signs_a_therapist_out_and_keeps_the_account(app, admin, world):
    office, laptop = (_signed_in(app, world.emails["therapist"]) for _ in range(2))
    user_id = world.ids["therapist"]
    page = admin.get("/admin/therapists").get_data(as_text=True)
    assert f"/admin/users/{user_id}/end-sessions" in page
    response = admin.post(f"/admin/users/{user_id}/end-sessions", follow_redirects=True)
    assert b"Signed out everywhere. The account stays active." in response.data
    assert office.get("/couples").status_code == 302
    assert laptop.get("/couples").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).active
    event = _event(app, "admin.end_sessions")
    assert (event.actor_id, event.object_id, event.detail) == (
        world.ids["admin"],
        user_id,
        {"count": 2},
    )
    assert login(app.test_client(), world.emails["therapist"]).status_code == 302


def test_an_admin_cannot_end_their_own_or_another_practices_sessions(admin, world):
    own = admin.post(f"/admin/users/{world.ids['admin']}/end-sessions", follow_redirects=True)
    assert b"use your security page" in own.data
    far = admin.post(f"/admin/users/{world.ids['far_therapist']}/end-sessions")
    assert far.status_code == 404


def _enrol_partner(app, user_id: int) -> None:
    from therapy_portal.auth import mfa

    with app.app_context():
        user = db.session.get(User, user_id)
        user.totp_secret = pyotp.random_base32()
        mfa.new_recovery_codes(user)
        db.session.commit()


def test_an_admin_finds_a_partner_by_email_without_seeing_their_name(app, admin, world):
    _enrol_partner(app, world.ids["partner_a"])
    # A translated (lazy) label may be written with its apostrophe escaped or not.
    form = admin.get("/admin/partners").data
    assert b"Partner&#39;s email" in form or b"Partner's email" in form
    page = admin.post("/admin/partners", data={"email": world.emails["partner_a"].upper()})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Partner A of Couple One" in text and "Second step: on" in text
    with app.app_context():
        name = db.session.get(User, world.ids["partner_a"]).name
    assert name not in text.replace("Partner A of Couple One", "")
    event = _event(app, "admin.partner_lookup")
    assert event.object_id == world.ids["partner_a"] and event.detail == {}


@pytest.mark.parametrize("who", ["far_partner", "therapist", "nobody"])
def test_the_lookup_finds_only_partners_of_the_practice(app, admin, world, who):
    email = {
        "therapist": world.emails["therapist"],
        "nobody": "nobody@example.com",
        "far_partner": "far.partner@example.com",
    }[who]
    if who == "far_partner":
        from tests.factories import make_couple, partner

        with app.app_context():
            far = db.session.get(User, world.ids["far_therapist"])
            partner(make_couple(far, name="Far Pair"), "A").email = email
            db.session.commit()
    page = admin.post("/admin/partners", data={"email": email})
    assert b"No partner of this practice signs in with that address." in page.data
    assert _event(app, "admin.partner_lookup").outcome == "failure"


def test_an_admin_resets_a_partners_lost_second_factor(app, admin, world):
    user_id, email = world.ids["partner_a"], world.emails["partner_a"]
    _enrol_partner(app, user_id)
    phone = app.test_client()
    assert phone.post("/login", data={"email": email, "password": PASSWORD}).location.endswith(
        "/login/verify"
    )
    response = admin.post(f"/admin/users/{user_id}/reset-second-factor")
    assert response.location.endswith("/admin/partners")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.totp_secret is None
        assert (
            db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user_id)) is None
        )
        mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == email))
        assert "second sign-in step was reset" in mail.subject
        assert "Couple One" not in mail.body and user.name not in mail.body
        assert "turn the second step on again" in mail.body
    event = _event(app, "admin.reset_second_factor")
    assert event.object_id == user_id and event.actor_id == world.ids["admin"]
    # A password alone signs them in again; nothing forces them to enrol.
    again = app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert again.location.endswith("/home")


def test_an_admin_signs_everyone_of_the_practice_out_after_asking(app, admin, world):
    staff = _signed_in(app, world.emails["therapist"])
    partner = _signed_in(app, world.emails["partner_a"])
    far = _signed_in(app, world.emails["far_therapist"])
    question = admin.post("/admin/security/end-all-sessions")
    assert question.status_code == 200 and b"Sign everyone out?" in question.data
    assert staff.get("/couples").status_code == 200  # nothing happened yet
    done = admin.post(
        "/admin/security/end-all-sessions", data={"confirmed": "yes"}, follow_redirects=True
    )
    assert b"Everyone else was signed out." in done.data
    assert staff.get("/couples").status_code == 302
    assert partner.get("/home").status_code == 302
    assert far.get("/couples").status_code == 200  # another practice
    assert admin.get("/admin/therapists").status_code == 200  # the admin stays
    event = _event(app, "admin.end_all_sessions")
    assert event.object_type == "practice" and event.detail == {"count": 2}
