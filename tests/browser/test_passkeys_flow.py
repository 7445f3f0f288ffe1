"""In a real browser with Chromium's virtual authenticator (CDP WebAuthn domain): a therapist adds
a passkey on the security page, signs out, and signs in with the password and the passkey.

WebAuthn refuses an IP address as the relying party, so this server is reached as
`http://localhost:<port>` (a secure context) on a port from this suite's range.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.factories import PASSWORD, make_practice, make_user, totp_code
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, PasskeyCredential, Role


@pytest.fixture
def localhost_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)  # the system gives a free port
    url = f"http://localhost:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # the passkey's origin and relying party ("localhost")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def passkey_page(browser, localhost_url):
    context = browser.new_context(base_url=localhost_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield page, cdp, authenticator["authenticatorId"]
    context.close()


def _password_step(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/login/verify")


def test_therapist_adds_a_passkey_and_signs_in_with_it(app, passkey_page):
    page, cdp, authenticator_id = passkey_page
    with app.app_context():
        therapist = make_user(make_practice(), Role.THERAPIST, name="Pat Key")
        email, user_id = therapist.email, therapist.id
        db.session.commit()

    _password_step(page, email)
    page.get_by_label("Code", exact=True).fill(totp_code(app, email))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/today")

    page.goto("/account/security")
    page.get_by_label("Name for the new passkey").fill("Office laptop")
    page.get_by_role("button", name="Add a passkey").click()
    remove = page.get_by_role("button", name="Remove Office laptop")
    remove.wait_for()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1  # the authenticator holds the private key
    with app.app_context():
        (stored,) = db.session.scalars(
            select(PasskeyCredential).where(PasskeyCredential.user_id == user_id)
        ).all()
        assert stored.name == "Office laptop"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    _password_step(page, email)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url("**/today")
    assert page.get_by_role("heading", level=1).count() == 1
    with app.app_context():
        methods = db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "auth.login", AuditEvent.actor_id == user_id
            )
        ).all()
    assert [m["kind"] for m in methods] == ["totp", "passkey"]
