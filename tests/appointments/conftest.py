"""Fixtures for sessions: a practice in New York with a therapist, a co-therapist, an outsider
and a couple."""

from __future__ import annotations

import pytest

from tests.factories import make_couple, make_practice, make_user, partner
from therapy_portal.consents.demo import sign_all
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role
from therapy_portal.models.consents import ConsentKind


@pytest.fixture
def world(world, app):
    """The shared world, with both partners of C1 consenting to online sessions (tests/consents
    covers the sessions refused without it)."""
    with app.app_context():
        sign_all(db.session.get(Couple, world.couple_ids["c1"]), [ConsentKind.TELEHEALTH])
        db.session.commit()
    return world


@pytest.fixture
def people(ctx):
    practice = make_practice("Harbor Couples Practice")
    therapist = make_user(practice, Role.THERAPIST, name="Robin Hale", credentials="LMFT")
    co = make_user(practice, Role.THERAPIST, name="Casey Moore")
    outsider = make_user(practice, Role.THERAPIST, name="Other Therapist")
    couple = make_couple(therapist, name="Lopez & Kim", co_therapist=co)
    sign_all(couple, [ConsentKind.TELEHEALTH])
    return {
        "practice": practice,
        "therapist": therapist,
        "co": co,
        "outsider": outsider,
        "couple": couple,
        "a": partner(couple, "A"),
        "b": partner(couple, "B"),
    }
