"""Drafts, version conflicts, idempotent submission, returned answers and the turns mode."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from tests.homework.factories import (
    answers,
    assign,
    first_occurrence,
    key,
    loaded_response,
    make_version,
    seat,
)
from tests.homework.factories import submit as submit_answers
from therapy_portal import policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models import AuditEvent
from therapy_portal.models.homework import DraftConflict, Response, Submission


@pytest.fixture
def occurrence(hw):
    return first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))


def test_draft_keeps_raw_input_and_counts_versions(hw, occurrence):
    first = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["  draft one  "]}, 0)
    assert first.saved and first.response.version == 1
    second = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["draft two"]}, 1)
    assert second.response.version == 2
    assert second.response.draft == {"p_private": ["draft two"]}
    assert second.response.status == "draft" and second.response.answers is None


def test_over_long_draft_is_kept_as_typed(hw, occurrence):
    long_text = "x" * 900  # the prompt allows 500
    result = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": [long_text]}, 0)
    assert result.response.draft["p_private"] == [long_text]


def test_fields_not_in_the_template_are_ignored(hw, occurrence):
    result = services.save_draft(
        hw.a, seat(hw.a, occurrence), {"p_private": ["ok"], "p_nope": ["x"], "other": ["y"]}, 0
    )
    assert result.response.draft == {"p_private": ["ok"]}


def test_stale_save_keeps_both_texts_and_changes_nothing(hw, occurrence):
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["tab one"]}, 0)
    stale = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["tab two"]}, 0)
    assert not stale.saved and stale.conflict is not None
    assert stale.response.draft == {"p_private": ["tab one"]}
    assert stale.response.version == 1
    kept = db.session.scalar(select(DraftConflict))
    assert kept.fields == {"p_private": ["tab two"]} and kept.based_on_version == 0
    view = services.open_for_partner(hw.a, seat(hw.a, occurrence))
    assert [c.id for c in view.conflicts] == [kept.id]


def test_conflict_copy_is_dismissed_only_by_its_author(hw, occurrence):
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["one"]}, 0)
    conflict = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["two"]}, 0).conflict
    with pytest.raises(NotAllowed):
        services.dismiss_conflict(hw.b, policy.conflict_for_partner_or_404(hw.b, conflict.id))
    services.dismiss_conflict(hw.a, policy.conflict_for_partner_or_404(hw.a, conflict.id))
    assert services.open_for_partner(hw.a, seat(hw.a, occurrence)).conflicts == []


def test_submitting_twice_with_one_key_creates_one_submission(hw, occurrence):
    same = key()
    first = services.submit(hw.a, seat(hw.a, occurrence), answers("a"), 0, same)
    again = services.submit(hw.a, seat(hw.a, occurrence), answers("a"), 0, same)
    assert first.saved and not first.duplicate
    assert again.duplicate and again.response.id == first.response.id
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "homework.submit")) == 1
    )


def test_submission_key_is_unique_in_the_database(hw, occurrence):
    from sqlalchemy.exc import IntegrityError

    first = services.submit(hw.a, seat(hw.a, occurrence), answers("a"), 0, "k" * 20)
    db.session.add(
        Submission(
            practice_id=first.response.practice_id,
            response_id=first.response.id,
            idempotency_key="k" * 20,
            answers={},
            submitted_by_id=hw.a.id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_submit_cleans_answers_and_marks_submitted(hw, occurrence):
    result = submit_answers(hw.a, occurrence, answers("a", close="7", things=(" Tea ", "", "Walk")))
    response = result.response
    assert response.status == "submitted" and response.submitted_at is not None
    assert response.answers["close"] == 7
    assert response.answers["things"] == ["Tea", "Walk"]


def test_invalid_submission_is_saved_as_draft_with_errors(hw, occurrence):
    fields = answers("a") | {"p_close": ["11"], "p_after_both": [""], "p_private": ["y" * 600]}
    result = submit_answers(hw.a, occurrence, fields)
    assert not result.saved and result.response.status == "draft"
    assert result.response.draft["p_private"] == ["y" * 600]
    assert "Please choose a number from 0 to 10." in result.errors["p_close"]
    assert result.errors["p_after_both"] == ["Please answer this question."]
    assert "500 characters or fewer" in result.errors["p_private"][0]


def test_editing_a_submitted_answer_is_refused(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("a"))
    with pytest.raises(InvalidState, match="submitted this"):
        services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["more"]}, 2)
    with pytest.raises(InvalidState, match="submitted this"):
        services.submit(hw.a, seat(hw.a, occurrence), answers("b"), 2, key())


def test_bad_idempotency_key_is_refused(hw, occurrence):
    with pytest.raises(ValidationFailed, match="out of date"):
        services.submit(hw.a, seat(hw.a, occurrence), answers("a"), 0, "short")


def test_returned_answer_can_be_edited_and_resubmitted(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("a")).response
    services.return_response(
        hw.therapist, loaded_response(hw.therapist, response), "Say more about the second one."
    )
    assert response.status == "returned"
    view = services.open_for_partner(hw.a, seat(hw.a, occurrence))
    assert view.can_edit and view.own.return_note == "Say more about the second one."
    again = submit_answers(hw.a, occurrence, answers("more"))
    assert again.response.status == "submitted"
    assert again.response.answers["private"] == "private more"
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 2


def test_other_couples_partner_cannot_open_or_save(hw, occurrence):
    with pytest.raises(NotAllowed):
        services.open_for_partner(hw.other_partner, seat(hw.other_partner, occurrence))
    with pytest.raises(NotAllowed):
        services.save_draft(
            hw.other_partner, seat(hw.other_partner, occurrence), {"p_private": ["x"]}, 0
        )
    with pytest.raises(NotAllowed):
        services.open_for_partner(hw.therapist, seat(hw.therapist, occurrence))


def test_turns_mode_b_waits_for_a_then_sees_a(hw):
    hw.couple.confidentiality_policy = "no_secrets"
    prompts = [
        {"key": "write", "type": "long_text", "label": "Write", "visibility": "shared_after_both"},
        {
            "key": "mine",
            "type": "short_text",
            "label": "Private",
            "required": False,
            "visibility": "therapist_only",
        },
    ]
    version = make_version(hw.therapist, prompts, mode="turns")
    occurrence = first_occurrence(
        assign(
            hw.therapist,
            hw.couple,
            version,
            visibility={"write": "shared_after_both", "mine": "therapist_only"},
        )
    )
    with pytest.raises(InvalidState, match="Partner A writes first"):
        services.save_draft(hw.b, seat(hw.b, occurrence), {"p_write": ["too soon"]}, 0)
    submit_answers(hw.a, occurrence, {"p_write": ["A's turn"], "p_mine": ["A secret"]})
    view = services.open_for_partner(hw.b, seat(hw.b, occurrence))
    assert view.can_edit and view.partner_answers == {"write": "A's turn"}
    # A sees B's response once B has submitted (both have).
    assert services.open_for_partner(hw.a, seat(hw.a, occurrence)).partner_answers == {}
    submit_answers(hw.b, occurrence, {"p_write": ["B responds"]})
    assert services.open_for_partner(hw.a, seat(hw.a, occurrence)).partner_answers == {
        "write": "B responds"
    }


def test_joint_mode_has_one_answer_both_partners_edit(hw):
    hw.couple.confidentiality_policy = "no_secrets"
    prompts = [
        {"key": "plan", "type": "short_text", "label": "Our plan", "visibility": "shared_at_once"}
    ]
    version = make_version(hw.therapist, prompts, mode="joint")
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, version))
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_plan": ["A starts"]}, 0)
    view = services.open_for_partner(hw.b, seat(hw.b, occurrence))
    assert view.response_label == "J" and view.own.draft == {"p_plan": ["A starts"]}
    services.save_draft(hw.b, seat(hw.b, occurrence), {"p_plan": ["B finishes"]}, 1)
    result = submit_answers(hw.a, occurrence, {"p_plan": ["B finishes"]})
    assert result.response.author_label == "J" and result.response.status == "submitted"


def _another_tab_saves(response_id: int, text: str) -> None:
    """A save from another connection, committed after this request read the response."""
    with db.engine.begin() as other:
        other.execute(
            update(Response)
            .where(Response.id == response_id)
            .values(draft={"p_private": [text]}, version=Response.version + 1)
        )


def test_a_save_that_lands_between_reading_and_writing_is_a_conflict_not_an_overwrite(
    hw, occurrence
):
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["first"]}, 0)
    db.session.commit()
    own = services.open_for_partner(
        hw.a, seat(hw.a, occurrence)
    ).own  # this request has read version 1
    _another_tab_saves(own.id, "from the other tab")
    result = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["from this tab"]}, 1)
    db.session.commit()
    assert result.conflict is not None and not result.saved
    assert result.response.draft == {"p_private": ["from the other tab"]}
    assert result.response.version == 2
    assert result.conflict.fields == {"p_private": ["from this tab"]}


def test_a_stale_save_of_the_text_already_stored_is_not_a_conflict(hw, occurrence):
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["same words"]}, 0)
    again = services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["same words"]}, 0)
    assert again.saved and again.response.version == 1
    assert db.session.scalar(select(func.count()).select_from(DraftConflict)) == 0


def test_a_repeated_submit_with_a_mistake_answers_with_the_same_errors(hw, occurrence):
    fields = answers("a") | {"p_close": ["11"]}
    same = key()
    first = services.submit(hw.a, seat(hw.a, occurrence), fields, 0, same)
    again = services.submit(hw.a, seat(hw.a, occurrence), fields, 0, same)
    assert first.errors and again.errors == first.errors and again.conflict is None
    assert again.response.draft == fields and again.response.version == 1
