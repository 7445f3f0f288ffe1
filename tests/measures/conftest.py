"""Fixtures for check-in tests: a therapist, a couple of two partners, a clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tests.factories import build_people
from therapy_portal.models import Couple, User

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
    p = build_people(
        therapist="Therapist Tess",
        other_therapist="Therapist Otto",
        couple="Doe & Roe",
        other_couple=None,
    )
    return Setup(p.therapist, p.other_therapist, p.couple, p.a, p.b)
