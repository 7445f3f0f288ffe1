"""Secure messages in a real browser: partner A writes privately, the therapist replies, and
partner B's pages, JSON and emails show nothing of that thread (issue 11's acceptance)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import LiveServer, log_in
from tests.factories import PASSWORD
from therapy_portal.extensions import db
from therapy_portal.mail import send_pending
from therapy_portal.models import OutboxEmail

PRIVATE = "CANARYBROWSERPRIVATE3141"
REPLY = "CANARYBROWSERREPLY2718"
# What differs between two loads of the same page: the CSRF token and the idle countdown.
VOLATILE = re.compile(r'name="csrf_token"[^>]*>|data-idle-seconds="\d+"')


class PortLiveServer(LiveServer):
    """The shared live server, with links in emails made for its address."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.app = app
        # Port 0: the system gives a free port, so two runs at once never collide.
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["PUBLIC_BASE_URL"] = self.url
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    with PortLiveServer(app) as server:
        yield server


def _b_sees(page) -> str:
    """What partner B's home, message pages and check-ins show."""
    texts = []
    for path in ("/home", "/messages", "/messages/couple", "/messages/private", "/checkins"):
        page.goto(path)
        texts.append(page.content())
    return "\n".join(texts)


def test_a_private_message_and_its_reply_never_reach_partner_b(app, world, new_page):
    b = new_page()
    log_in(b, world.emails["partner_b"], PASSWORD)
    before = _b_sees(b)

    a = new_page()
    log_in(a, world.emails["partner_a"], PASSWORD)
    a.get_by_role("link", name="Messages").first.click()
    expect(a.get_by_text("Messages are not for emergencies.")).to_be_visible()
    a.get_by_role("link", name="Private messages with your therapist").click()
    a.get_by_label("Your message").fill(PRIVATE)
    a.get_by_role("button", name="Send message").click()
    expect(a.get_by_text("Message sent.")).to_be_visible()
    expect(a.get_by_text(PRIVATE)).to_be_visible()

    t = new_page()
    log_in(t, world.emails["therapist"], PASSWORD)
    t.get_by_role("link", name="Messages").first.click()
    expect(t.get_by_role("cell", name="1 new")).to_be_visible()
    t.get_by_role("link", name="Private: partner A").click()
    expect(t.get_by_text(PRIVATE)).to_be_visible()
    t.get_by_label("Your message").fill(REPLY)
    t.get_by_role("button", name="Send message").click()
    expect(t.get_by_text("Message sent.")).to_be_visible()
    t.get_by_role("button", name="Mark as handled").click()
    expect(t.get_by_role("cell", name="Handled")).to_be_visible()

    a.goto("/messages/private")
    expect(a.get_by_text(REPLY)).to_be_visible()
    expect(a.get_by_text("Read by")).to_have_count(0)  # receipts are the therapist's alone

    after = _b_sees(b)
    assert PRIVATE not in after and REPLY not in after
    assert VOLATILE.sub("", after) == VOLATILE.sub("", before)  # the same pages: no badge, no link
    status = b.request.get("/session/status")
    assert PRIVATE not in status.text() and REPLY not in status.text()

    with app.app_context():
        send_pending()
        to_b = db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == world.emails["partner_b"])
        ).all()
        delivered = app.extensions.get("sent_mail", [])
    assert to_b == []
    assert all(PRIVATE not in m.body and REPLY not in m.body for m in delivered)
    assert {m.subject for m in delivered if m.to == world.emails["partner_a"]} == {
        "You have a new message"
    }
