"""A new partner's language, chosen by the therapist when adding them (services, no HTTP)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.factories import make_practice, make_user, one_partner_couple_input
from therapy_portal.caseload import services as caseload
from therapy_portal.extensions import db
from therapy_portal.models import Role, User


@pytest.fixture
def therapist(ctx):
    return make_user(make_practice(), Role.THERAPIST, name="Therapist T")


@pytest.mark.parametrize(
    ("chosen", "stored"), [("es", "es"), ("en", "en"), ("", None), ("fr", None)]
)
def test_a_new_partner_keeps_a_known_language_or_follows_their_browser(therapist, chosen, stored):
    data = one_partner_couple_input("ivy@example.com")
    data = replace(data, partner_a=replace(data.partner_a, locale=chosen))
    caseload.create_couple(therapist, data)
    partner = db.session.scalar(select(User).where(User.email == "ivy@example.com"))
    assert partner.locale == stored
