"""Reset and sign-in links are made only when the email is delivered: no table ever holds a usable
one, before or after delivery (issue 12), and the lifetime counts from delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.mailbox import RESET, SIGN_IN, delivered_to, every_stored_text, latest_link
from therapy_portal.auth import reset
from therapy_portal.extensions import db
from therapy_portal.mail import send_pending
from therapy_portal.mail_links import LINK_PLACEHOLDER
from therapy_portal.models import AccountToken, OutboxEmail, TokenPurpose, User, utcnow


def _ask_for_reset(app, email: str) -> None:
    assert app.test_client().post("/password/forgot", data={"email": email}).status_code == 200


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_no_table_holds_the_reset_link_before_or_after_delivery(app, world):
    email = world.emails["partner_a"]
    _ask_for_reset(app, email)
    with app.app_context():
        stored = every_stored_text()
        assert RESET not in stored and LINK_PLACEHOLDER in stored  # before delivery
        token = latest_link(email, RESET).rsplit("/", 1)[1]
        assert token not in every_stored_text()  # after delivery
        assert reset.open_token(token, TokenPurpose.PASSWORD_RESET) is not None


def test_no_table_holds_the_sign_in_link_before_or_after_delivery(app, world):
    email = world.emails["partner_a"]
    with app.app_context():
        reset.send_sign_in_link(_user(email))
        db.session.commit()
        assert SIGN_IN not in every_stored_text()
        token = latest_link(email, SIGN_IN).rsplit("/", 1)[1]
        assert token not in every_stored_text()
        assert reset.use_sign_in_link(token) == _user(email)
        assert reset.use_sign_in_link(token) is None  # once


@pytest.mark.parametrize(("purpose", "minutes"), [(RESET, 30), (SIGN_IN, 10)])
def test_the_lifetime_counts_from_delivery(app, world, purpose, minutes):
    email = world.emails["partner_a"]
    with app.app_context():
        if purpose == RESET:
            reset.request_reset(email)
        else:
            reset.send_sign_in_link(_user(email))
        row = db.session.scalar(select(AccountToken))
        row.created_at -= timedelta(minutes=minutes - 1)  # sat in the outbox a while
        row.expires_at -= timedelta(minutes=minutes - 1)
        db.session.commit()
        (body,) = delivered_to(email)
        assert f"expires in {minutes} minutes" in body
        left = db.session.scalar(select(AccountToken.expires_at)) - utcnow()
        assert timedelta(minutes=minutes - 1) < left <= timedelta(minutes=minutes)


def test_a_request_not_delivered_within_its_lifetime_is_dropped(app, world):
    email = world.emails["partner_a"]
    with app.app_context():
        reset.request_reset(email)
        db.session.scalar(select(AccountToken)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert delivered_to(email) == []
        assert db.session.scalar(select(OutboxEmail.cancelled_at)) is not None


def test_a_newer_request_cancels_the_email_still_waiting(app, world):
    email = world.emails["partner_a"]
    with app.app_context():
        reset.request_reset(email)
        reset.request_reset(email)
        db.session.commit()
        assert send_pending() == (1, 0)
        assert len(delivered_to(email)) == 1
