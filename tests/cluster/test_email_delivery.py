"""An invitation written in a request leaves through the worker within seconds, as real processes.

A gunicorn app server and `flask worker` in development mode (SQLite queue on SQLite, Redis on
PostgreSQL): the therapist adds a couple, the partner's invitation is printed by the worker within
5 seconds with its link on the address the app was started on, and the development mailbox lists
it with that link clickable. (Production has no mailbox: tests/core/test_devmail_and_limits.py.)
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from tests.cluster.processes import Browser, Cluster
from tests.conftest import TEST_DB
from tests.factories import PASSWORD, make_practice, make_user
from therapy_portal.extensions import db
from therapy_portal.models import OutboxEmail, Role

PORT = 5122
COUPLE = {
    "display_name": "Rivera & Brooks",
    "partner_a_name": "Sam Rivera",
    "partner_a_email": "sam.rivera@example.com",
    "confidentiality_policy": "no_secrets",
    "policy_agreed_on": "2026-01-05",
    "co_therapist_id": "0",
}


@pytest.fixture
def therapist_email(ctx):
    therapist = make_user(make_practice("Mail Practice"), Role.THERAPIST, name="Robin Hale")
    db.session.commit()
    return therapist.email


def _queue_url(tmp_path) -> str | None:
    return None if TEST_DB == "postgres" else f"sqlite:///{tmp_path}/queue.sqlite3"


def test_an_invitation_is_delivered_by_the_worker_within_5_seconds(app, therapist_email, tmp_path):
    address = f"http://127.0.0.1:{PORT}"
    cluster = Cluster(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, _queue_url(tmp_path))
    cluster.env["PUBLIC_BASE_URL"] = address
    with cluster:
        server = cluster.web(PORT)
        worker = cluster.worker()
        browser = Browser()
        assert browser.post(server, "/login", email=therapist_email, password=PASSWORD).ok
        time.sleep(2)  # the worker is up and idle, polling at its slowest

        created = browser.post(server, "/couples/new", **COUPLE)
        written_at = time.monotonic()
        assert created.ok and created.path.startswith("/couples/")
        worker_log = cluster.log_path(f"worker-{cluster.procs.index(worker)}")
        link = re.compile(re.escape(address) + r"/invitations/[\w-]+")
        printed = None
        while printed is None and time.monotonic() - written_at < 5:
            printed = link.search(worker_log.read_text())
            time.sleep(0.05)
        assert printed is not None, "the worker did not print the invitation within 5 seconds"
        mailbox = browser.get(server, "/dev/mailbox").text

    assert f'href="{printed.group(0)}"' in mailbox
    db.session.expire_all()
    email = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == COUPLE["partner_a_email"])
    )
    assert email.sent_at is not None and email.attempts == 1
