"""Security logging details (ASVS V16) and client-side data protection (V14.3)."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import login
from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent

STATIC = Path(__file__).resolve().parents[2] / "therapy_portal" / "static"


def test_audit_detail_refuses_anything_but_identifiers(ctx):
    with pytest.raises(ValueError, match="not allowed"):
        audit.build_event("note.view", body="what the client wrote")


def test_audit_times_are_utc(ctx):
    audit.record("test.time")
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.at)).tzinfo == UTC


def test_a_forged_request_id_cannot_inject_into_the_log(app, client):
    forged = "abcdefgh; action=admin.login <script>"
    response = client.get("/healthz", headers={"X-Request-ID": forged})
    assert response.headers["X-Request-ID"] != forged
    assert response.headers["X-Request-ID"].isalnum()


def test_a_read_that_cannot_be_audited_is_not_shown(app, client, world, monkeypatch):
    login(client, world.emails["partner_a"])

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        client.get("/home")


@pytest.mark.parametrize("api", ["localStorage", "sessionStorage", "indexedDB", "document.cookie"])
def test_no_script_keeps_data_in_browser_storage(api):
    """Scripts may only empty the browser's storage (sign-out does), never put anything in it."""
    scripts = list(STATIC.rglob("*.js"))
    assert scripts
    for script in scripts:
        text = script.read_text()
        uses = re.findall(re.escape(api) + r"\s*(\.\s*\w+|\S)", text)
        assert all(use.replace(" ", "") == ".clear" for use in uses), (script.name, uses)
