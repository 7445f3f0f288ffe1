"""Fixtures for plans and supervision: the notes area's people, and a supervisor."""

from __future__ import annotations

import pytest

from tests.factories import build_people


@pytest.fixture
def people(ctx):
    p = build_people(
        practice="Harbor Couples Practice",
        therapist="Robin Hale",
        credentials="LMFT",
        other_therapist="Sam Supervisor",
        couple="Lopez & Kim",
    )
    return p
