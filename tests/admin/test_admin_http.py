"""Practice admin: invite, list, deactivate and reactivate therapists; read the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import login
from tests.mailbox import latest_link
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, OutboxEmail, User


@pytest.fixture
def admin_client(client, world):
    login(client, world.emails["admin"])
    return client


def test_admin_invites_a_therapist_who_joins(app, admin_client):
    response = admin_client.post(
        "/admin/therapists",
        data={"name": "Robin Park", "email": "robin@example.com", "credentials": "LCSW"},
    )
    assert response.status_code == 302
    page = admin_client.get("/admin/therapists")
    assert b"Robin Park, LCSW" in page.data and b"Invited" in page.data
    with app.app_context():
        email = db.session.scalar(
            select(OutboxEmail).where(OutboxEmail.to_address == "robin@example.com")
        )
        assert "/invitations/" not in email.body  # the link is made at delivery (issue 8)
        assert latest_link("robin@example.com").startswith("/invitations/")
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "admin.invite_therapist")
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "a@example.com"}, b"Enter the therapist&#39;s name."),
        ({"name": "x" * 121, "email": "a@example.com"}, b"Keep it to 120 characters or fewer."),
        ({"name": "Ok", "email": "nope"}, b"Enter a valid email address"),
    ],
)
def test_invite_bad_input_keeps_what_was_typed(admin_client, data, message):
    response = admin_client.post("/admin/therapists", data=data)
    assert response.status_code == 422 and message in response.data
    assert data["email"].encode() in response.data


def test_duplicate_email_is_refused_clearly(admin_client, world):
    response = admin_client.post(
        "/admin/therapists", data={"name": "Again", "email": world.emails["therapist"]}
    )
    assert response.status_code == 422
    assert b"Someone already has an account with this email." in response.data


def test_deactivate_and_reactivate(app, admin_client, world):
    user_id = world.ids["other_therapist"]
    c2 = world.couple_ids["c2"]  # theirs: given to the other therapist first (issue 11)
    admin_client.post(
        f"/admin/users/{user_id}/couples", data={f"couple_{c2}": world.ids["therapist"]}
    )
    admin_client.post(f"/admin/users/{user_id}/deactivate", data={"confirmed": "yes"})
    assert b"Deactivated" in admin_client.get("/admin/therapists").data
    again = admin_client.post(f"/admin/users/{user_id}/deactivate", follow_redirects=True)
    assert b"already deactivated" in again.data
    admin_client.post(f"/admin/users/{user_id}/reactivate")
    with app.app_context():
        assert db.session.get(User, user_id).active
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"admin.deactivate", "admin.reactivate"} <= actions


def test_admin_cannot_deactivate_themselves_or_clients_or_other_practices(admin_client, world):
    own = admin_client.post(f"/admin/users/{world.ids['admin']}/deactivate", follow_redirects=True)
    assert b"can&#39;t deactivate your own account" in own.data
    assert admin_client.post(f"/admin/users/{world.ids['partner_a']}/deactivate").status_code == 404
    assert (
        admin_client.post(f"/admin/users/{world.ids['far_therapist']}/deactivate").status_code
        == 404
    )


def test_admin_sees_no_clinical_pages(admin_client, world):
    assert admin_client.get(f"/couples/{world.couple_ids['c1']}").status_code == 404
    assert admin_client.get("/couples").status_code == 404


def test_audit_log_lists_events_without_phi(admin_client, world):
    page = admin_client.get("/admin/audit")
    assert page.status_code == 200 and b"auth.login" in page.data
    assert b"Partner A of" not in page.data
