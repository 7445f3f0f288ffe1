"""Break-glass: an admin reads one couple's record for a stated reason, for a limited time,
under a banner, with every read audited and the primary therapist emailed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests import clock
from tests.factories import login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, BreakGlassGrant, OutboxEmail, User, utcnow
from therapy_portal.notes import records

REASON = "Therapist unreachable; partner called in crisis tonight"


@pytest.fixture
def admin_client(client, world):
    login(client, world.emails["admin"])
    return client


def _open(admin_client, world, reason: str = REASON):
    return admin_client.post(
        "/admin/couples", data={"couple_id": world.couple_ids["c1"], "reason": reason}
    )


def test_the_couples_page_lists_names_and_therapists_and_is_audited(app, admin_client, world):
    page = admin_client.get("/admin/couples")
    assert b"Couple One" in page.data and b"Therapist X (primary)" in page.data
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.couple_list"))


def test_a_reason_is_required_and_the_text_is_kept(admin_client, world):
    response = _open(admin_client, world, reason="urgent")
    assert response.status_code == 422
    assert b"Use 15 to 500 characters." in response.data
    assert b"urgent</textarea>" in response.data


def test_opening_it_emails_the_primary_therapist_without_phi(app, admin_client, world):
    response = _open(admin_client, world)
    assert response.status_code == 302
    with app.app_context():
        emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "break_glass"))
        emails = emails.all()
        assert [e.to_address for e in emails] == [world.emails["therapist"]]
        assert "Couple One" not in emails[0].body and "crisis" not in emails[0].body
        grant = db.session.scalar(select(BreakGlassGrant))
        assert grant.expires_at - grant.started_at == timedelta(minutes=60)
        start = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "break_glass.start")
        )
        assert start.couple_id == world.couple_ids["c1"] and "crisis" not in str(start.detail)


def test_every_read_is_audited_and_psychotherapy_notes_stay_out(app, admin_client, world):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        from therapy_portal.models import Couple

        couple = db.session.get(Couple, world.couple_ids["c1"])
        records.add_private_note(
            therapist, couple, clock.today() - timedelta(days=1), "private process canary"
        )
        db.session.commit()
    record_url = _open(admin_client, world).headers["Location"]
    for _ in range(2):
        page = admin_client.get(record_url)
        assert page.status_code == 200
        assert b"Partner A of Couple One" in page.data
        assert b"private process canary" not in page.data
    with app.app_context():
        reads = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "break_glass.read")
        ).all()
        assert len(reads) == 2
        assert all(r.couple_id == world.couple_ids["c1"] and r.detail["grant_id"] for r in reads)


def test_a_banner_shows_on_every_page_until_it_expires(app, admin_client, world):
    record_url = _open(admin_client, world).headers["Location"]
    for url in ("/admin/therapists", "/admin/audit", "/admin/couples"):
        assert b"Emergency access to a couple's record is open" in admin_client.get(url).data
    with app.app_context():
        db.session.execute(
            update(BreakGlassGrant).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert b"Emergency access to a couple" not in admin_client.get("/admin/therapists").data
    assert admin_client.get(record_url).status_code == 404


def test_ending_it_closes_the_record(admin_client, world):
    record_url = _open(admin_client, world).headers["Location"]
    assert admin_client.post(record_url + "/end").status_code == 302
    assert admin_client.get(record_url).status_code == 404


def test_the_time_limit_comes_from_config(app, admin_client, world):
    app.config["BREAK_GLASS_MINUTES"] = 5
    _open(admin_client, world)
    with app.app_context():
        grant = db.session.scalar(select(BreakGlassGrant))
        assert grant.expires_at - grant.started_at == timedelta(minutes=5)


def test_another_practices_couple_cannot_be_opened(admin_client, world):
    response = admin_client.post(
        "/admin/couples", data={"couple_id": world.couple_ids["c3"], "reason": REASON}
    )
    assert response.status_code == 422  # not among the choices


def test_a_therapist_cannot_use_another_admins_grant(app, admin_client, client, world):
    record_url = _open(admin_client, world).headers["Location"]
    other = app.test_client()
    login(other, world.emails["other_therapist"])
    assert other.get(record_url).status_code == 404
