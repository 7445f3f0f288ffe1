"""Fixtures for consents: a couple (no secrets) with a therapist, an outsider and an admin."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests import clock
from tests.factories import make_couple, make_practice, make_user, partner
from therapy_portal.appointments.rules import SessionInput
from therapy_portal.extensions import db
from therapy_portal.models import CoupleMember, Role, User


@pytest.fixture
def people(ctx):
    practice = make_practice("Harbor Couples Practice")
    therapist = make_user(practice, Role.THERAPIST, name="Robin Hale", credentials="LMFT")
    admin = make_user(practice, Role.ADMIN, name="Office Manager")
    couple = make_couple(therapist, name="Lopez & Kim")
    return {
        "practice": practice,
        "therapist": therapist,
        "admin": admin,
        "couple": couple,
        "a": partner(couple, "A"),
        "b": partner(couple, "B"),
    }


def member_of(user: User) -> CoupleMember:
    return db.session.scalar(
        select(CoupleMember)
        .where(CoupleMember.user_id == user.id)
        .options(selectinload(CoupleMember.couple))
    )


def online(days: int = 7, attendees: str = "both", **extra) -> SessionInput:
    return SessionInput(
        clock.today() + timedelta(days=days),
        time(10, 0),
        50,
        modality="online",
        meeting_link="https://video.example.org/room-7",
        attendees=attendees,
        **extra,
    )
