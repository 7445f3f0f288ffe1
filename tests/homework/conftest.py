"""Homework fixtures: a small world (practice, therapists, couples) in an app context."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import make_couple, make_practice, make_user, partner
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role, User


@dataclass
class HW:
    therapist: User
    other_therapist: User
    couple: Couple
    other_couple: Couple
    a: User
    b: User
    other_partner: User


@pytest.fixture
def hw(ctx) -> HW:
    practice = make_practice()
    therapist = make_user(practice, Role.THERAPIST, name="Therapist T")
    other = make_user(practice, Role.THERAPIST, name="Therapist O")
    couple = make_couple(therapist, name="Couple C", policy="limited_secrets")
    other_couple = make_couple(other, name="Couple D")
    db.session.flush()
    return HW(
        therapist,
        other,
        couple,
        other_couple,
        partner(couple, "A"),
        partner(couple, "B"),
        partner(other_couple, "A"),
    )


@dataclass
class Site:
    """Ids and emails for HTTP tests (safe outside an app context)."""

    therapist: str
    other_therapist: str
    a: str
    b: str
    other_partner: str
    couple_id: int
    other_couple_id: int
    ids: dict


@pytest.fixture
def site(app) -> Site:
    with app.app_context():
        practice = make_practice()
        therapist = make_user(practice, Role.THERAPIST, name="Therapist T")
        other = make_user(practice, Role.THERAPIST, name="Therapist O")
        couple = make_couple(therapist, name="Couple C", policy="limited_secrets")
        other_couple = make_couple(other, name="Couple D")
        a, b = partner(couple, "A"), partner(couple, "B")
        result = Site(
            therapist.email,
            other.email,
            a.email,
            b.email,
            partner(other_couple, "A").email,
            couple.id,
            other_couple.id,
            {"therapist": therapist.id, "a": a.id, "b": b.id, "other": other.id},
        )
        db.session.commit()
        return result


@pytest.fixture
def as_user(client):
    """Log the test client in as someone (logging out whoever was in first)."""
    from tests.factories import login

    def switch(email: str):
        client.post("/logout")
        response = login(client, email)
        assert response.status_code == 302, response.status_code
        return client

    return switch
