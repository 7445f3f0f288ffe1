"""Every page, JSON answer and file that shows PHI writes an audit event for the reader.

The walk reuses the authorization matrix: each GET route, for each identity allowed to open it,
must leave an event naming that identity. Only the pages listed in `NO_PHI` are exempt.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.access.core import ALL
from tests.factories import PASSWORD, login
from tests.test_authorization_matrix import EXPECTED, MODULES, ROUTES
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent

# Pages that show no clinical content or client identity.
NO_PHI = {
    "core.healthz",
    "core.index",  # a redirect to the person's home page
    "core.favicon",  # the portal's icon
    "core.style_page",  # development only: made-up sample content
    "supervision.people",  # staff names and who supervises whom: no client data
    "auth.login",
    "auth.logout",
    "auth.accept_invitation",
    "auth.change_password",
    "auth.forgot_password",  # an empty form
    "auth.security",  # the person's own sign-in settings
    "auth.language_choice",  # the person's own language choice
    "auth.set_up_totp",  # the person's own new TOTP key
    "auth.session_status",  # seconds left before the idle sign-out
    "admin.practice_security",  # the practice's sign-in settings
    "practice_settings.edit",  # the practice's name, address, paper size...: no client content
    "practice_settings.logo",  # the practice's logo
    "devmail.mailbox",  # development only; emails carry no PHI
    "admin.therapists",  # staff accounts only
    "admin.partners",  # an empty form: a search is a POST, audited by the service
    "caseload.create",  # an empty form and the practice's therapists
    "homework.library",  # exercise templates: no client content
    "homework.template_detail",
    "homework.edit_template",
    "homework.new_template",
    "homework.preview_version",
    "homework.version_detail",
    "homework.version_fhir",
    "notes.export_range",  # an empty date-range form
    "notes.export_progress",  # counts polled every second, audited by the download
}

GET_ROUTES = [(e, r) for e, r, m in ROUTES if m == "GET" and e not in NO_PHI]


@pytest.mark.parametrize(("endpoint", "rule"), GET_ROUTES, ids=lambda v: str(v))
def test_every_phi_read_is_audited(app, world, endpoint, rule):
    values = {}
    with app.app_context():
        for module in MODULES:
            values.update(module.params(world))
    with app.test_request_context():
        from flask import url_for

        url = url_for(
            endpoint, **{k: v for k, v in values.items() if f"<{k}>" in rule or f":{k}>" in rule}
        )
    table = EXPECTED.get(f"GET {endpoint}") or EXPECTED[endpoint]
    unaudited = []
    for who in ALL:
        if who == "anonymous" or table.get(who) != "ok":
            continue
        client = app.test_client()
        assert login(client, world.emails[who], PASSWORD).status_code == 302
        with app.app_context():
            before = db.session.scalar(select(db.func.max(AuditEvent.id))) or 0
        response = client.get(url)
        if response.status_code >= 300:
            continue  # a redirect shows nothing
        with app.app_context():
            events = db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.id > before, AuditEvent.actor_id == world.ids[who]
                )
            ).all()
        if not events:
            unaudited.append(who)
    assert unaudited == [], f"GET {url} showed PHI without an audit event"
