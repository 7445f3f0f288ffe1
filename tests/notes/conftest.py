"""Fixtures for the notes area: a therapist with a couple, and a digest provider."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.factories import build_people
from therapy_portal.consents.demo import sign_all
from therapy_portal.models.consents import ConsentKind
from therapy_portal.notes import digest as digests


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"NOTE_EXPORT_DIR": str(tmp_path / "exports"), "NOTE_PDF_FAIL_CLOSED": True}


@pytest.fixture
def people(ctx):
    """A practice with a therapist (LMFT), a co-therapist, an outsider and a couple."""
    p = build_people(
        practice="Harbor Couples Practice",
        therapist="Robin Hale",
        credentials="LMFT",
        co_therapist=("Casey Moore", "LPCC"),
        other_therapist="Other Therapist",
        couple="Lopez & Kim",
        other_couple=None,
    )
    # Records releases wait for each partner's release-of-records consent (tests/consents).
    sign_all(p.couple, [ConsentKind.RECORDS_RELEASE])
    p.practice.address = "1 Harbor Road, Portsmouth"
    p.practice.phone = "(555) 010-0199"
    return {
        "practice": p.practice,
        "therapist": p.therapist,
        "co": p.co_therapist,
        "outsider": p.other_therapist,
        "couple": p.couple,
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
