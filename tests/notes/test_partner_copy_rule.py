"""The partner-copy rule as a table (pure: no database, no HTTP)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from therapy_portal.policy import partner_copy
from therapy_portal.policy.partner_copy import (
    REASON_DIGEST,
    REASON_MARKED,
    REASON_SCREENED,
    CopyRule,
)

MARKED = frozenset({"section:plan", "addendum:2"})


@pytest.mark.parametrize(
    ("scope", "attendees", "part", "expected"),
    [
        ("full", "both", "digest", None),
        ("full", "both", "risk_screening", None),
        ("full", "both", "section:plan", None),  # marks never touch the full record
        ("B", "both", "digest", REASON_DIGEST),
        ("A", "A", "digest", REASON_DIGEST),
        ("B", "both", "risk_screening", REASON_SCREENED),
        ("A", "both", "risk_screening", REASON_SCREENED),
        ("A", "A", "risk_screening", None),  # A's own disclosures in a session A attended alone
        ("B", "both", "section:plan", REASON_MARKED),
        ("B", "both", "addendum:2", REASON_MARKED),
        ("B", "both", "addendum:1", None),
        ("B", "both", "section:data", None),
        ("B", "both", "interventions", None),
    ],
)
def test_what_a_copy_leaves_out(scope, attendees, part, expected):
    assert CopyRule(scope, attendees, MARKED).left_out(part) == expected


def test_the_form_marks_risk_screening_as_individually_screened():
    assert "risk_screening" in partner_copy.SCREENED_PARTS


def test_fixed_parts_cannot_be_marked_and_the_others_can():
    joint = SimpleNamespace(format="dap", attendees="both")
    assert partner_copy.markable_keys(joint, [1, 2]) == {
        "section:data",
        "section:assessment",
        "section:plan",
        "interventions",
        "next_session",
        "addendum:1",
        "addendum:2",
    }
    alone = SimpleNamespace(format="soap", attendees="A")
    assert "risk_screening" in partner_copy.markable_keys(alone, [])


def test_the_cache_fingerprint_changes_with_the_marks():
    assert CopyRule("A", "both").fingerprint != CopyRule("A", "both", MARKED).fingerprint
    assert CopyRule("full", "both", MARKED).fingerprint == "full"
