"""Fixtures for the notes area: a therapist with a couple, and a digest provider."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.factories import make_couple, make_practice, make_user
from therapy_portal.models import Role
from therapy_portal.notes import digest as digests


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"NOTE_EXPORT_DIR": str(tmp_path / "exports"), "NOTE_PDF_FAIL_CLOSED": True}


@pytest.fixture
def people(ctx):
    """A practice with a therapist (LMFT), a co-therapist, an outsider and a couple."""
    practice = make_practice("Harbor Couples Practice")
    practice.address = "1 Harbor Road, Portsmouth"
    practice.phone = "(555) 010-0199"
    therapist = make_user(practice, Role.THERAPIST, name="Robin Hale", credentials="LMFT")
    co = make_user(practice, Role.THERAPIST, name="Casey Moore", credentials="LPCC")
    outsider = make_user(practice, Role.THERAPIST, name="Other Therapist")
    couple = make_couple(therapist, name="Lopez & Kim", co_therapist=co)
    return {
        "practice": practice,
        "therapist": therapist,
        "co": co,
        "outsider": outsider,
        "couple": couple,
    }


class RecordingProvider:
    """A digest provider that returns fixed lines and remembers the window it was asked for."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.calls: list[tuple[int, datetime | None, datetime]] = []

    def __call__(self, couple, since, until):
        self.calls.append((couple.id, since, until))
        return [
            digests.DigestSection("Homework", list(self.lines)),
            digests.DigestSection("Measures", []),
        ]


@pytest.fixture
def homework_provider():
    provider = RecordingProvider(
        [
            "Assigned: Soft start-up practice (due Friday)",
            "Completed by partner A: Daily appreciation log",
            "Overdue: State of us check-in",
        ]
    )
    digests.digest_provider(provider)
    yield provider
    digests.unregister(provider)
