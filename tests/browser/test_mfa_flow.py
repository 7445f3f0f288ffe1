"""In a real browser: a therapist sets up an authenticator app by reading the key the page
shows, signs out, and signs in again with the password and a code."""

from __future__ import annotations

import time

import pyotp

from tests.factories import PASSWORD, make_practice, make_user
from therapy_portal.extensions import db
from therapy_portal.models import Role


def test_therapist_enrols_totp_signs_out_and_signs_in_with_a_code(app, page):
    with app.app_context():
        therapist = make_user(make_practice(), Role.THERAPIST, name="Robin Vale", mfa=False)
        email = therapist.email
        db.session.commit()

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Enrolment is forced: a QR code, and the same key as text for typing by hand.
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your authenticator app"
    assert page.locator("figure.qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    authenticator = pyotp.TOTP(secret)  # the phone app, given the key by hand
    page.get_by_label("Code from your authenticator app").fill(authenticator.now())
    page.get_by_role("button", name="Turn on the second step").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved my codes").click()
    assert page.url.endswith("/today")

    page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/login")
    assert page.goto("/couples").url.endswith("/login?next=/couples")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url.endswith("/login/verify")
    # The code used to enrol was spent; the app shows the next one 30 seconds later, which the
    # portal accepts within its one-step drift window.
    page.get_by_label("Code", exact=True).fill(authenticator.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith("/couples")  # the page asked for before signing in
    assert page.get_by_role("heading", level=1).count() == 1
