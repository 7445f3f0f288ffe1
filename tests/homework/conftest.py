"""Homework fixtures: a small world (practice, therapists, couples) in an app context."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import People, build_people
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User


@dataclass
class HW:
    therapist: User
    other_therapist: User
    couple: Couple
    other_couple: Couple
    a: User
    b: User
    other_partner: User


def _homework_people() -> People:
    """The shared world (tests/factories.py) as the homework tests know it."""
    return build_people(policy="limited_secrets")


@pytest.fixture
def hw(ctx) -> HW:
    p = _homework_people()
    return HW(p.therapist, p.other_therapist, p.couple, p.other_couple, p.a, p.b, p.other_partner)


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
        p = _homework_people()
        result = Site(
            p.therapist.email,
            p.other_therapist.email,
            p.a.email,
            p.b.email,
            p.other_partner.email,
            p.couple.id,
            p.other_couple.id,
            {"therapist": p.therapist.id, "a": p.a.id, "b": p.b.id, "other": p.other_therapist.id},
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
