"""The one visibility rule: what each partner may read of the other's answers, and when."""

from __future__ import annotations

import pytest

from tests.homework.factories import (
    answers,
    assign,
    first_occurrence,
    loaded_response,
    make_version,
    seat,
)
from tests.homework.factories import submit as submit_answers
from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models.homework import Response


@pytest.fixture
def occurrence(hw):
    return first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))


def _b_sees(hw, occurrence) -> dict:
    return services.open_for_partner(hw.b, seat(hw.b, occurrence)).partner_answers


def test_partner_cannot_see_private_answer_before_both_submit(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A"))
    assert _b_sees(hw, occurrence) == {}


def test_shared_after_both_opens_when_both_have_submitted(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A"))
    submit_answers(hw.b, occurrence, answers("B"))
    seen = _b_sees(hw, occurrence)
    assert seen["after_both"] == "after both A" and seen["close"] == 5
    assert "private" not in seen and "released" not in seen


def test_a_draft_is_never_visible_to_the_other_partner(hw, occurrence):
    services.save_draft(hw.a, seat(hw.a, occurrence), answers("A"), 0)
    submit_answers(hw.b, occurrence, answers("B"))
    assert _b_sees(hw, occurrence) == {}


def test_released_by_therapist_opens_only_after_release(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("A")).response
    submit_answers(hw.b, occurrence, answers("B"))
    assert "released" not in _b_sees(hw, occurrence)
    services.release_response(hw.therapist, loaded_response(hw.therapist, response))
    assert _b_sees(hw, occurrence)["released"] == "released A"
    assert "private" not in _b_sees(hw, occurrence)


def _a_is_told(hw, occurrence) -> bool:
    """Does A's page say B can read A's "released" answer now?"""
    return services.open_for_partner(hw.a, seat(hw.a, occurrence)).shared_now["released"]


def test_a_release_covers_the_text_released_not_a_rewrite_after_return(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("A")).response
    submit_answers(hw.b, occurrence, answers("B"))
    assert not _a_is_told(hw, occurrence)
    services.release_response(hw.therapist, loaded_response(hw.therapist, response))
    assert _b_sees(hw, occurrence)["released"] == "released A" and _a_is_told(hw, occurrence)
    services.return_response(hw.therapist, loaded_response(hw.therapist, response), "Say more.")
    # While A rewrites, B still reads the text that was released, and A's page says so.
    services.save_draft(hw.a, seat(hw.a, occurrence), answers("A again"), response.version)
    assert _b_sees(hw, occurrence)["released"] == "released A" and _a_is_told(hw, occurrence)
    # The new submission is not covered by the old release: hidden again, and A is told.
    submit_answers(hw.a, occurrence, answers("A again"))
    assert "released" not in _b_sees(hw, occurrence) and not _a_is_told(hw, occurrence)
    assert policy.can_release(response, occurrence.assignment)
    services.release_response(hw.therapist, loaded_response(hw.therapist, response))
    assert _b_sees(hw, occurrence)["released"] == "released A again" and _a_is_told(hw, occurrence)


def test_answer_visible_refuses_a_release_of_earlier_text(hw):
    from therapy_portal.models import utcnow

    now = utcnow()
    rewritten = Response(
        author_label="A",
        answers={"k": "new"},
        first_submitted_at=now,
        answers_version=5,
        released_version=2,
        released_at=now,
    )
    assert not policy.answer_visible(
        hw.b, "B", "each_partner", "released_by_therapist", rewritten, None
    )


def test_therapist_only_is_never_shared_even_after_release(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("A")).response
    submit_answers(hw.b, occurrence, answers("B"))
    services.release_response(hw.therapist, loaded_response(hw.therapist, response))
    assert "private" not in _b_sees(hw, occurrence)


@pytest.mark.parametrize(
    ("visibility", "author_submitted", "viewer_submitted", "released", "expected"),
    [
        ("therapist_only", True, True, True, False),
        ("shared_at_once", False, False, False, False),
        ("shared_at_once", True, False, False, True),
        ("shared_after_both", True, False, False, False),
        ("shared_after_both", True, True, False, True),
        ("released_by_therapist", True, True, False, False),
        ("released_by_therapist", True, False, True, True),
    ],
)
def test_answer_visible_rule_table(
    hw, visibility, author_submitted, viewer_submitted, released, expected
):
    from therapy_portal.models import utcnow

    now = utcnow()
    other = Response(
        author_label="A",
        answers={"k": "v"} if author_submitted else None,
        first_submitted_at=now if author_submitted else None,
        answers_version=2 if author_submitted else None,
        released_version=2 if released else None,
    )
    own = Response(author_label="B", first_submitted_at=now if viewer_submitted else None)
    assert policy.answer_visible(hw.b, "B", "each_partner", visibility, other, own) is expected
    # A therapist of the couple sees every submitted answer; an admin or stranger role nothing.
    assert (
        policy.answer_visible(hw.therapist, None, "each_partner", visibility, other, None)
        is author_submitted
    )


def test_own_answers_are_always_visible_to_their_author(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("A")).response
    assignment = occurrence.assignment
    mine = policy.visible_answers(
        hw.a, "A", assignment, assignment.version.prompts, response, response
    )
    assert mine["private"] == "private A"


def test_feedback_reaches_only_its_audience(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A"))
    loaded = policy.occurrence_for_therapist_or_404(hw.therapist, occurrence.id)
    services.add_feedback(hw.therapist, loaded, "For A only", "A")
    services.add_feedback(hw.therapist, loaded, "For both", "both")
    db.session.flush()
    assert [f.body for f in services.open_for_partner(hw.a, seat(hw.a, occurrence)).feedback] == [
        "For A only",
        "For both",
    ]
    assert [f.body for f in services.open_for_partner(hw.b, seat(hw.b, occurrence)).feedback] == [
        "For both"
    ]
