"""The second sign-in step: TOTP codes work once, recovery codes work once, enrolment is forced
for staff, devices can be remembered (unless the practice says no), and an admin can reset it."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.factories import (
    PASSWORD,
    give_code,
    login,
    make_practice,
    make_user,
    totp_code,
)
from therapy_portal.auth import mfa
from therapy_portal.extensions import db
from therapy_portal.models import (
    AuditEvent,
    OutboxEmail,
    RecoveryCode,
    RememberedDevice,
    Role,
    User,
    UserSession,
    utcnow,
)


@pytest.fixture
def therapist(ctx) -> User:
    user = make_user(make_practice(), Role.THERAPIST)
    db.session.commit()
    return user


def _code(user: User, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(user.totp_secret)
    return totp.generate_otp(totp.timecode(utcnow()) + offset_steps)


# Services ---------------------------------------------------------------------------------


def test_a_totp_code_works_once(therapist):
    code = _code(therapist)
    assert mfa.verify_totp(therapist, code) is True
    assert mfa.verify_totp(therapist, code) is False


def test_an_older_code_is_refused_after_a_newer_one(therapist):
    assert mfa.verify_totp(therapist, _code(therapist, +1)) is True
    assert mfa.verify_totp(therapist, _code(therapist)) is False
    assert mfa.verify_totp(therapist, _code(therapist, -1)) is False


def test_codes_outside_one_step_of_drift_or_malformed_are_refused(therapist):
    assert mfa.verify_totp(therapist, _code(therapist, +2)) is False
    assert mfa.verify_totp(therapist, _code(therapist, -2)) is False
    for junk in ("", "12345", "1234567", "abcdef", "12 34 5x"):
        assert mfa.verify_totp(therapist, junk) is False


def test_a_recovery_code_works_once_and_only_hashes_are_stored(therapist):
    codes = mfa.new_recovery_codes(therapist)
    db.session.commit()
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert all(code.replace("-", "") not in h for code in codes for h in stored)
    assert mfa.verify_code(therapist, codes[3].upper()) == "recovery_code"
    assert mfa.verify_code(therapist, codes[3]) is None
    assert mfa.recovery_codes_left(therapist) == 9


def test_new_recovery_codes_replace_the_old_ones(therapist):
    old = mfa.new_recovery_codes(therapist)
    mfa.new_recovery_codes(therapist)
    assert mfa.verify_code(therapist, old[0]) is None


# Signing in over HTTP -----------------------------------------------------------------------


def test_staff_need_the_code_before_anything_opens(app, client, world):
    email = world.emails["therapist"]
    first = client.post("/login", data={"email": email, "password": PASSWORD})
    assert first.status_code == 302 and first.location.endswith("/login/verify")
    assert client.get("/couples").status_code == 302  # the password alone opens nothing
    done = give_code(client, totp_code(app, email))
    assert done.status_code == 302 and done.location.endswith("/today")
    assert client.get("/couples").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))
        assert event.detail == {"kind": "totp"}


def test_the_same_code_is_refused_on_a_second_browser(app, world):
    email = world.emails["therapist"]
    code = totp_code(app, email)
    first, second = app.test_client(), app.test_client()
    first.post("/login", data={"email": email, "password": PASSWORD})
    assert give_code(first, code).status_code == 302
    second.post("/login", data={"email": email, "password": PASSWORD})
    refused = give_code(second, code)
    assert refused.status_code == 401
    assert b"already used" in refused.data
    assert second.get("/couples").status_code == 302


def test_a_recovery_code_signs_in_once(app, world):
    with app.app_context():
        user = db.session.get(User, world.ids["therapist"])
        codes = mfa.new_recovery_codes(user)
        db.session.commit()
    for expected in (302, 401):
        client = app.test_client()
        client.post("/login", data={"email": world.emails["therapist"], "password": PASSWORD})
        assert give_code(client, codes[0]).status_code == expected


def test_too_many_wrong_codes_start_the_sign_in_over(app, client, world):
    app.config["MFA_MAX_CODE_ATTEMPTS"] = 3
    client.post("/login", data={"email": world.emails["therapist"], "password": PASSWORD})
    assert give_code(client, "000000").status_code == 401
    assert give_code(client, "000000").status_code == 401
    last = give_code(client, "000000")
    assert last.status_code == 302 and last.location.endswith("/login")
    assert b"Too many wrong codes" in client.get("/login").data
    # The pending sign-in is gone: even the right code does nothing now.
    assert give_code(client, totp_code(app, world.emails["therapist"])).status_code == 302
    assert client.get("/couples").status_code == 302


def _enrol_page_secret(page) -> str:
    return re.search(rb'data-secret="([A-Z2-7]+)"', page.data).group(1).decode()


def test_staff_without_a_second_factor_enrol_at_their_next_sign_in(app, client):
    with app.app_context():
        user = make_user(make_practice(), Role.THERAPIST, mfa=False)
        email = user.email
        db.session.commit()
    first = client.post("/login", data={"email": email, "password": PASSWORD})
    assert first.location.endswith("/login/enrol")
    page = client.get("/login/enrol")
    secret = _enrol_page_secret(page)
    assert b"<svg" in page.data
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)).encode() in page.data
    assert client.get("/couples").status_code == 302
    wrong = client.post("/login/enrol", data={"code": "000000"})
    assert b"does not match" in wrong.data
    done = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert b"Your recovery codes" in done.data
    assert len(re.findall(rb"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", done.data)) == 10
    assert client.get("/couples").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.totp_secret).where(User.email == email)) == secret


def test_the_requirement_is_a_setting(app, client):
    app.config["MFA_REQUIRED_FOR_STAFF"] = False
    with app.app_context():
        user = make_user(make_practice(), Role.THERAPIST, mfa=False)
        email = user.email
        db.session.commit()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.location.endswith("/today")


def test_a_partner_may_turn_it_on_and_is_then_asked(app, client, world):
    email = world.emails["partner_a"]
    other_device = app.test_client()
    login(other_device, email)
    assert login(client, email).location.endswith("/home")
    page = client.get("/account/security/totp")
    secret = _enrol_page_secret(page)
    refused = client.post(
        "/account/security/totp",
        data={"current": "wrong password!", "code": pyotp.TOTP(secret).now()},
    )
    assert b"Your password is not right." in refused.data
    done = client.post(
        "/account/security/totp", data={"current": PASSWORD, "code": pyotp.TOTP(secret).now()}
    )
    assert b"Your recovery codes" in done.data
    assert other_device.get("/home").status_code == 302  # a changed factor ends other sessions
    assert client.get("/home").status_code == 200
    client.post("/logout")
    again = client.post("/login", data={"email": email, "password": PASSWORD})
    assert again.location.endswith("/login/verify")


def test_a_remembered_device_skips_the_code_until_the_practice_turns_it_off(app, world):
    email = world.emails["therapist"]
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    give_code(client, totp_code(app, email), remember="y")
    client.post("/logout")
    again = client.post("/login", data={"email": email, "password": PASSWORD})
    assert again.location.endswith("/today")
    client.post("/logout")
    other = app.test_client()  # another browser still needs the code
    assert other.post("/login", data={"email": email, "password": PASSWORD}).location.endswith(
        "/login/verify"
    )
    with app.app_context():
        db.session.get(User, world.ids["therapist"]).practice.remember_device_allowed = False
        db.session.commit()
    off = client.post("/login", data={"email": email, "password": PASSWORD})
    assert off.location.endswith("/login/verify")


def test_a_remembered_device_expires(app, world):
    email = world.emails["therapist"]
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    give_code(client, totp_code(app, email), remember="y")
    client.post("/logout")
    with app.app_context():
        for row in db.session.scalars(select(RememberedDevice)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    again = client.post("/login", data={"email": email, "password": PASSWORD})
    assert again.location.endswith("/login/verify")


def test_admin_reset_clears_the_factor_ends_sessions_emails_and_audits(app, world):
    therapist, admin = app.test_client(), app.test_client()
    login(therapist, world.emails["therapist"])
    login(admin, world.emails["admin"])
    user_id = world.ids["therapist"]
    response = admin.post(f"/admin/users/{user_id}/reset-second-factor")
    assert response.status_code == 302
    assert therapist.get("/couples").status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.totp_secret is None
        assert (
            db.session.scalar(
                select(AuditEvent).where(AuditEvent.action == "admin.reset_second_factor")
            ).object_id
            == user_id
        )
        mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == user.email))
        assert "second sign-in step was reset" in mail.subject
        assert (
            db.session.scalar(
                select(UserSession).where(
                    UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
                )
            )
            is None
        )
    fresh = app.test_client()
    first = fresh.post("/login", data={"email": world.emails["therapist"], "password": PASSWORD})
    assert first.location.endswith("/login/enrol")


def test_staff_cannot_turn_the_required_factor_off(app, client, world):
    login(client, world.emails["therapist"])
    client.post("/account/security/totp/remove", data={"current": PASSWORD})
    with app.app_context():
        assert db.session.get(User, world.ids["therapist"]).totp_secret is not None


def test_the_inlined_qr_code_carries_no_text_from_the_account_or_the_settings(app, therapist):
    """totp_setup marks segno's SVG safe: the address and the issuer must reach it only as the
    QR code's drawing, never as markup."""
    therapist.email = 'x"><script>alert(1)</script>@example.com'
    app.config["MFA_ISSUER"] = "<b>Practice & Co</b>"
    svg = str(mfa.totp_setup(therapist, pyotp.random_base32()).qr_svg)
    assert svg.startswith("<svg") and svg.count("<svg") == 1
    for text in ("<script", "script", "<b>", "Practice", "example.com"):
        assert text not in svg
    assert set(re.findall(r"<(\w+)", svg)) == {"svg", "title", "g", "path"}
