"""Fixtures for check-in tests: a therapist, a couple of two partners, a clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tests.factories import make_couple, make_practice, make_user, partner
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role, User

# A Wednesday afternoon in New York; weekly check-ins below start on the Monday before.
NOW = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 2)


@dataclass
class Setup:
    therapist: User
    other_therapist: User
    couple: Couple
    a: User
    b: User


@pytest.fixture
def setup(ctx) -> Setup:
    practice = make_practice()
    therapist = make_user(practice, Role.THERAPIST, name="Therapist Tess")
    other = make_user(practice, Role.THERAPIST, name="Therapist Otto")
    couple = make_couple(therapist, name="Doe & Roe")
    db.session.flush()
    return Setup(therapist, other, couple, partner(couple, "A"), partner(couple, "B"))
