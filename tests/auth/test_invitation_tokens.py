"""Invitation links are never readable from the database, and expire (issue 8, defect 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_practice, make_user, one_partner_couple_input
from tests.mailbox import delivered_to, every_stored_text, latest_link
from therapy_portal import create_app
from therapy_portal.auth import invitations
from therapy_portal.caseload import services as caseload
from therapy_portal.extensions import db
from therapy_portal.models import Invitation, OutboxEmail, Role

ADDRESS = "ivy@example.com"


@pytest.fixture
def invited(ctx):
    therapist = make_user(make_practice(), Role.THERAPIST)
    caseload.create_couple(therapist, one_partner_couple_input(ADDRESS))
    db.session.commit()
    return therapist


def test_the_outbox_never_holds_a_usable_link(invited):
    unsent = db.session.scalar(select(OutboxEmail.body).where(OutboxEmail.to_address == ADDRESS))
    assert "/invitations/" not in unsent
    token = latest_link(ADDRESS).rsplit("/", 1)[1]
    assert token not in every_stored_text()
    assert invitations.look_up(token).state is invitations.InvitationState.VALID


def test_invitations_last_fourteen_days_by_default():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["INVITATION_TTL_DAYS"] == 14


def test_the_email_states_the_configured_lifetime(invited):
    (body,) = delivered_to(ADDRESS)
    assert "expires in 14 days" in body


@pytest.mark.parametrize(("age_days", "state"), [(13, "valid"), (15, "expired")])
def test_an_invitation_works_until_it_expires(invited, age_days, state):
    token = latest_link(ADDRESS).rsplit("/", 1)[1]
    invitation = db.session.scalar(select(Invitation))
    invitation.created_at -= timedelta(days=age_days)
    invitation.expires_at -= timedelta(days=age_days)
    db.session.commit()
    assert invitations.look_up(token).state.value == state


def test_a_replaced_invitation_that_was_never_sent_is_not_sent(invited):
    couple_id = db.session.scalar(select(Invitation.couple_id))
    couple = caseload.view_couple(invited, couple_id)
    caseload.resend_invitation(invited, couple, "A")
    db.session.commit()
    assert len(delivered_to(ADDRESS)) == 1
