"""The therapist's caseload over HTTP: add, validate, list, search, close, reopen, invite."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import login, make_couple, next_page_url
from tests.mailbox import delivered_to
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, Invitation, OutboxEmail, User

VALID = {
    "display_name": "Lopez & Kim",
    "partner_a_name": "Ana Lopez",
    "partner_a_email": "ana@example.com",
    "partner_b_name": "Daniel Kim",
    "partner_b_email": "daniel@example.com",
    "confidentiality_policy": "limited_secrets",
    "policy_agreed_on": "2026-10-01",
    "co_therapist_id": "0",
}


@pytest.fixture
def therapist_client(client, world):
    login(client, world.emails["therapist"])
    return client


def test_adding_a_couple_invites_each_partner_separately(app, therapist_client):
    response = therapist_client.post("/couples/new", data=VALID)
    assert response.status_code == 302
    with app.app_context():
        couple = db.session.scalar(select(Couple).where(Couple.display_name == "Lopez & Kim"))
        assert couple.confidentiality_policy == "limited_secrets"
        emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        assert [e.to_address for e in emails] == ["ana@example.com", "daniel@example.com"]
        for email in emails:
            assert "Lopez" not in email.body and "Kim" not in email.body  # no PHI
        # The link exists only in the delivered email (issue 8), never in the outbox table.
        for address in ("ana@example.com", "daniel@example.com"):
            (body,) = delivered_to(address)
            assert "Lopez" not in body and "Kim" not in body
            assert re.search(r"/invitations/\S{30,}", body)
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_a_couple_may_start_with_one_partner_and_add_the_other_later(app, therapist_client):
    data = {**VALID, "partner_b_name": "", "partner_b_email": ""}
    response = therapist_client.post("/couples/new", data=data)
    couple_url = response.headers["Location"]
    page = therapist_client.get(couple_url)
    assert b"Add the second partner" in page.data
    added = therapist_client.post(
        couple_url + "/partners/new", data={"name": "Daniel Kim", "email": "daniel@example.com"}
    )
    assert added.status_code == 302
    assert b"Partner B: Daniel Kim" in therapist_client.get(couple_url).data


def test_each_new_partners_invitation_is_in_the_language_chosen_for_them(app, therapist_client):
    page = therapist_client.get("/couples/new").get_data(as_text=True)
    assert 'name="partner_a_language"' in page and "Their browser&#39;s language" in page
    data = {**VALID, "partner_a_language": "es", "partner_b_language": ""}
    assert therapist_client.post("/couples/new", data=data).status_code == 302
    with app.app_context():
        ana = db.session.scalar(select(User).where(User.email == "ana@example.com"))
        daniel = db.session.scalar(select(User).where(User.email == "daniel@example.com"))
        assert (ana.locale, daniel.locale) == ("es", None)  # None: Daniel's browser decides
        subjects = dict(
            db.session.execute(
                select(OutboxEmail.to_address, OutboxEmail.subject).where(
                    OutboxEmail.kind == "invitation"
                )
            ).all()
        )
    assert subjects == {
        "ana@example.com": "Tu invitación a Therapy Portal",
        "daniel@example.com": "Your invitation to Therapy Portal",
    }


def test_a_partner_added_later_is_invited_in_the_language_chosen(app, therapist_client):
    data = {**VALID, "partner_b_name": "", "partner_b_email": ""}
    couple_url = therapist_client.post("/couples/new", data=data).headers["Location"]
    assert 'name="language"' in therapist_client.get(couple_url + "/partners/new").text
    refused = therapist_client.post(
        couple_url + "/partners/new",
        data={"name": "Daniel Kim", "email": "daniel@example.com", "language": "fr"},
    )
    assert refused.status_code == 422 and "daniel@example.com" in refused.text  # nothing lost
    added = therapist_client.post(
        couple_url + "/partners/new",
        data={"name": "Daniel Kim", "email": "daniel@example.com", "language": "es"},
    )
    assert added.status_code == 302
    with app.app_context():
        daniel = db.session.scalar(select(User).where(User.email == "daniel@example.com"))
        assert daniel.locale == "es"
        (invitation,) = db.session.scalars(
            select(OutboxEmail).where(
                OutboxEmail.to_address == "daniel@example.com", OutboxEmail.kind == "invitation"
            )
        )
        assert invitation.subject == "Tu invitación a Therapy Portal"


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"display_name": ""}, b"Enter the couple&#39;s display name."),
        ({"display_name": "x" * 121}, b"Keep it to 120 characters or fewer."),
        ({"partner_a_email": "not-an-email"}, b"Enter a valid email address"),
        ({"partner_b_email": ""}, b"Give both a name and an email for partner B"),
        ({"partner_b_email": "ana@example.com"}, b"Each partner needs their own email address"),
        ({"policy_agreed_on": "2999-01-01"}, b"can&#39;t be in the future"),
        ({"policy_agreed_on": "yesterday"}, b"Enter the date the couple agreed"),
        ({"confidentiality_policy": ""}, b"Choose the policy the couple agreed to."),
    ],
)
def test_bad_input_gets_a_message_and_keeps_what_was_typed(
    therapist_client, changes, field_message
):
    response = therapist_client.post("/couples/new", data={**VALID, **changes})
    assert response.status_code == 422
    assert field_message in response.data
    assert b"Ana Lopez" in response.data  # nothing typed is thrown away


def test_an_email_that_already_has_an_account_is_refused_clearly(app, therapist_client, world):
    data = {**VALID, "partner_a_email": world.emails["partner_a"].upper()}
    response = therapist_client.post("/couples/new", data=data)
    assert response.status_code == 422
    assert b"This email already has an account" in response.data
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Couple).where(Couple.display_name == "Lopez & Kim")
            )
            == 0
        )


def test_co_therapist_must_be_from_the_practice(therapist_client, world):
    data = {**VALID, "co_therapist_id": str(world.ids["far_therapist"])}
    response = therapist_client.post("/couples/new", data=data)
    assert response.status_code == 422


def test_co_therapist_sees_the_couple(app, world):
    therapist = app.test_client()
    login(therapist, world.emails["therapist"])
    response = therapist.post(
        "/couples/new", data={**VALID, "co_therapist_id": str(world.ids["other_therapist"])}
    )
    url = response.headers["Location"]
    co = app.test_client()
    login(co, world.emails["other_therapist"])
    assert co.get(url).status_code == 200
    assert b"Lopez &amp; Kim" in co.get("/couples").data


def test_viewing_a_couple_is_audited(app, therapist_client, world):
    therapist_client.get(f"/couples/{world.couple_ids['c1']}")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "couple.view"))
        assert event.couple_id == world.couple_ids["c1"]
        assert event.actor_id == world.ids["therapist"] and event.actor_role == "therapist"


def test_another_therapists_couple_is_not_found_and_the_attempt_is_audited(
    app, therapist_client, world
):
    response = therapist_client.get(f"/couples/{world.couple_ids['c2']}")
    assert response.status_code == 404
    assert therapist_client.get("/couples/999999").status_code == 404
    with app.app_context():
        denied = db.session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
        assert {e.object_id for e in denied} >= {world.couple_ids["c2"], 999999}


def test_close_and_reopen(app, therapist_client, world):
    url = f"/couples/{world.couple_ids['c1']}"
    question = therapist_client.post(url + "/close")
    assert question.status_code == 200 and b"Close Couple One?" in question.data
    assert b"You can reopen the couple at any time." in question.data
    assert b"This couple is closed" not in therapist_client.get(url).data  # asked, not done
    therapist_client.post(url + "/close", data={"confirmed": "yes"})
    assert b"This couple is closed" in therapist_client.get(url).data
    assert b"Couple One" not in therapist_client.get("/couples").data
    resend = therapist_client.post(url + "/partners/A/resend", follow_redirects=True)
    assert b"This couple is closed. Reopen the couple first." in resend.data
    therapist_client.post(url + "/reopen")
    assert b"Couple One" in therapist_client.get("/couples").data


def test_edit_keeps_input_on_error_and_saves_when_valid(app, therapist_client, world):
    url = f"/couples/{world.couple_ids['c1']}/edit"
    page = therapist_client.get(url)
    assert b"Couple One" in page.data
    with app.app_context():
        a = db.session.get(User, world.ids["partner_a"])
        b = db.session.get(User, world.ids["partner_b"])
        form = {
            "display_name": "Renamed Couple",
            "partner_a_name": a.name,
            "partner_a_email": a.email,
            "partner_b_name": b.name,
            "partner_b_email": b.email,
            "confidentiality_policy": "no_secrets",
            "policy_agreed_on": "2026-01-01",
            "co_therapist_id": "0",
        }
    bad = therapist_client.post(url, data={**form, "policy_agreed_on": "2999-01-01"})
    assert bad.status_code == 422 and b"Renamed Couple" in bad.data
    assert therapist_client.post(url, data=form).status_code == 302
    assert b"Renamed Couple" in therapist_client.get("/couples").data


def _make_many(app, world, n: int) -> None:
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        for i in range(n):
            make_couple(therapist, name=f"Bulk {i:03d}")
        db.session.commit()


def test_caseload_is_paginated_with_counts(app, therapist_client, world):
    _make_many(app, world, 25)
    first = therapist_client.get("/couples")
    assert b"26 active" in first.data and b"Bulk 024" not in first.data
    url = next_page_url(first.data)
    assert url is not None and "after=" in url
    second = therapist_client.get(url)
    assert b"Bulk 024" in second.data and b"Bulk 000" not in second.data
    assert next_page_url(second.data) is None and b'rel="first"' in second.data


def test_search_by_partner_or_couple_name_never_puts_the_name_in_the_url(
    app, therapist_client, world
):
    _make_many(app, world, 3)
    response = therapist_client.post("/couples", data={"q": "bulk 001", "status": "active"})
    assert response.status_code == 302 and "bulk" not in response.headers["Location"].lower()
    page = therapist_client.get("/couples")
    assert b"Bulk 001" in page.data and b"Bulk 002" not in page.data
    therapist_client.post("/couples", data={"q": "Partner A of Couple One", "status": "all"})
    assert b"Couple One" in therapist_client.get("/couples").data
    therapist_client.post("/couples", data={"q": "zzz-nothing", "status": "all"})
    assert b"No couples match your search." in therapist_client.get("/couples").data
    therapist_client.post("/couples/search/clear")
    assert b"Bulk 002" in therapist_client.get("/couples").data


def test_percent_in_search_is_literal(app, therapist_client, world):
    therapist_client.post("/couples", data={"q": "%", "status": "all"})
    assert b"No couples match your search." in therapist_client.get("/couples").data


def test_empty_caseload_explains_what_to_do(client, world):
    login(client, world.emails["other_therapist"])
    client.post(f"/couples/{world.couple_ids['c2']}/close", data={"confirmed": "yes"})
    page = client.get("/couples")
    assert b"No active couples yet." in page.data and b"Add a couple" in page.data


def test_caseload_query_budget_is_the_same_for_1_and_200_couples(
    app, therapist_client, world, count_queries
):
    therapist_client.get("/couples")
    with count_queries() as small:
        therapist_client.get("/couples")
    _make_many(app, world, 199)  # the world's therapist has 1 couple: now 200
    with count_queries() as large:
        page = therapist_client.get("/couples")
    assert b"Bulk 018" in page.data and next_page_url(page.data)
    # +1 for the homework counts (one grouped statement for the whole page); +3 for the read's
    # audit event (lock the chain head, insert, move the head).
    assert large.count == small.count <= 12, large.statements
