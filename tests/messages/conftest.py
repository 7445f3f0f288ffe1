"""Fixtures for secure messages: a couple with a primary and a co-therapist, and outsiders."""

from __future__ import annotations

import pytest

from tests.factories import make_couple, make_practice, make_user, partner
from therapy_portal.models import Role
from therapy_portal.policy import messages as rules


@pytest.fixture
def people(ctx):
    practice = make_practice("Harbor Couples Practice")
    therapist = make_user(practice, Role.THERAPIST, name="Robin Hale", credentials="LMFT")
    co = make_user(practice, Role.THERAPIST, name="Casey Moore")
    outsider = make_user(practice, Role.THERAPIST, name="Other Therapist")
    couple = make_couple(therapist, name="Lopez & Kim", co_therapist=co)
    closed = make_couple(therapist, name="Closed Pair", status="closed")
    return {
        "practice": practice,
        "therapist": therapist,
        "co": co,
        "outsider": outsider,
        "couple": couple,
        "a": partner(couple, "A"),
        "b": partner(couple, "B"),
        "closed": closed,
        "closed_a": partner(closed, "A"),
    }


def private_of(user):
    return rules.thread_for_partner_or_404(user, "private")


def couple_thread_of(user):
    return rules.thread_for_partner_or_404(user, "couple")
