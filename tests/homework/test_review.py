"""The therapist's side: counts, the review queue, side-by-side differences, actions, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_couple
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
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import AuditEvent, CoupleMember, OutboxEmail, User

JOINT = [{"key": "plan", "type": "long_text", "label": "Our plan", "visibility": "shared_at_once"}]


def _loaded(hw, occurrence):
    return policy.occurrence_for_therapist_or_404(hw.therapist, occurrence.id)


@pytest.fixture
def occurrence(hw):
    return first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))


def test_counts_for_couples_counts_to_review_and_overdue(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A"))
    late = first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))
    late.due_on = practice_today(hw.therapist) - timedelta(days=1)
    counts = services.counts_for_couples(hw.therapist, [hw.couple.id, hw.other_couple.id])
    assert counts[hw.couple.id] == services.HomeworkCounts(to_review=1, overdue=1)
    assert hw.other_couple.id not in counts


def test_counts_are_scoped_to_the_therapists_couples(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A"))
    assert services.counts_for_couples(hw.other_therapist, [hw.couple.id]) == {}


def test_queue_lists_submitted_unreviewed_oldest_first(hw, occurrence):
    second = first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))
    submit_answers(hw.a, second, answers("first"))
    submit_answers(hw.b, occurrence, answers("second"))
    queue = services.review_queue(hw.therapist)
    assert [i.occurrence.id for i in queue.items] == [second.id, occurrence.id]
    services.mark_reviewed(hw.therapist, _loaded(hw, second))
    assert [i.occurrence.id for i in services.review_queue(hw.therapist).items] == [occurrence.id]
    assert services.review_queue(hw.other_therapist).items == []


def test_queue_lists_overdue_until_both_submit(hw, occurrence):
    occurrence.due_on = practice_today(hw.therapist) - timedelta(days=2)
    assert [i.occurrence.id for i in services.review_queue(hw.therapist).overdue] == [occurrence.id]
    submit_answers(hw.a, occurrence, answers("A"))
    assert services.review_queue(hw.therapist).overdue_total == 1
    submit_answers(hw.b, occurrence, answers("B"))
    assert services.review_queue(hw.therapist).overdue == []


def test_overdue_means_short_of_the_answers_the_assignment_needs(hw):
    """Joint work needs one answer, each-partner work one per member: a one-partner couple's
    homework is done with its one answer, a two-partner couple's is not."""
    alone = make_couple(hw.therapist, partners=1)
    partner = db.session.scalar(
        select(User)
        .join(CoupleMember, CoupleMember.user_id == User.id)
        .where(CoupleMember.couple_id == alone.id)
    )
    late = practice_today(hw.therapist) - timedelta(days=2)
    made = {}
    for key, couple, mode in (
        ("alone", alone, None),
        ("pair", hw.couple, None),
        ("joint", hw.couple, "joint"),
    ):
        prompts = JOINT if mode else None
        version = make_version(hw.therapist, prompts, mode=mode or "each_partner")
        made[key] = first_occurrence(assign(hw.therapist, couple, version, mode=mode))
        made[key].due_on = late
    db.session.flush()

    def overdue() -> set[str]:
        listed = {i.occurrence.id for i in services.review_queue(hw.therapist).overdue}
        return {key for key, o in made.items() if o.id in listed}

    assert overdue() == {"alone", "pair", "joint"}  # nothing in: short whatever the mode
    submit_answers(partner, made["alone"], answers("alone"))
    submit_answers(hw.a, made["pair"], answers("A"))
    assert not submit_answers(hw.a, made["joint"], {"p_plan": "for both"}).errors
    assert overdue() == {"pair"}
    counts = services.counts_for_couples(hw.therapist, [alone.id, hw.couple.id])
    assert counts[alone.id].overdue == 0 and counts[hw.couple.id].overdue == 1


def test_the_queue_summary_lists_what_the_queue_lists_first_with_the_same_totals(hw, occurrence):
    assigned = [assign(hw.therapist, hw.couple, make_version(hw.therapist)) for _ in range(3)]
    for n, assignment in enumerate(assigned):
        due = first_occurrence(assignment)
        due.due_on = practice_today(hw.therapist) - timedelta(days=5 - n)
        submit_answers(hw.a if n % 2 else hw.b, due, answers(f"answer {n}"))
    occurrence.due_on = practice_today(hw.therapist) - timedelta(days=9)
    queue = services.review_queue(hw.therapist)
    summary = services.queue_summary(hw.therapist, 2)
    assert (summary.waiting_total, summary.overdue_total) == (3, 4)
    assert (queue.page.total, queue.overdue_total) == (3, 4)
    for listed, items in ((summary.waiting, queue.items), (summary.overdue, queue.overdue)):
        assert [(i.occurrence_id, i.assignment_id, i.since) for i in listed] == [
            (i.occurrence.id, i.occurrence.assignment_id, i.since) for i in items[:2]
        ]
        assert [(i.couple_name, i.title) for i in listed] == [
            (i.occurrence.assignment.couple.display_name, i.occurrence.assignment.version.title)
            for i in items[:2]
        ]
    assert services.queue_summary(hw.other_therapist, 2) == services.QueueSummary([], 0, [], 0)


def test_resubmission_after_review_needs_review_again(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("A")).response
    services.mark_reviewed(hw.therapist, _loaded(hw, occurrence))
    services.return_response(hw.therapist, loaded_response(hw.therapist, response), "More please")
    submit_answers(hw.a, occurrence, answers("again"))
    assert [i.occurrence.id for i in services.review_queue(hw.therapist).items] == [occurrence.id]


def test_review_view_shows_both_sides_and_differences(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A", close="2", things=("Tea", "Walk")))
    submit_answers(hw.b, occurrence, answers("B", close="8", things=("walk", "Music")))
    view = services.review_view(hw.therapist, _loaded(hw, occurrence))
    assert view.answers["A"]["private"] == "private A"
    assert view.answers["B"]["private"] == "private B"
    assert view.comparisons["close"] == {"gap": 6, "notable": True}
    assert view.comparisons["things"]["only_a"] == ["Tea"]
    assert view.comparisons["things"]["only_b"] == ["Music"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "homework.review_view"))
    assert event.object_id == occurrence.id


def test_review_view_never_shows_drafts(hw, occurrence):
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["draft words"]}, 0)
    view = services.review_view(hw.therapist, _loaded(hw, occurrence))
    assert view.answers["A"] == {}


def test_other_therapist_cannot_load_or_act(hw, occurrence):
    with pytest.raises(NotAllowed):
        policy.occurrence_for_therapist_or_404(hw.other_therapist, occurrence.id)
    with pytest.raises(NotAllowed):
        services.add_feedback(hw.other_therapist, _loaded(hw, occurrence), "x", "both")


def test_feedback_checks_input_and_is_audited_and_emailed_without_phi(hw, occurrence):
    loaded = _loaded(hw, occurrence)
    with pytest.raises(ValidationFailed, match="Write the feedback"):
        services.add_feedback(hw.therapist, loaded, "  ", "A")
    with pytest.raises(ValidationFailed, match="who the feedback is for"):
        services.add_feedback(hw.therapist, loaded, "Hi", "C")
    with pytest.raises(ValidationFailed, match="question from this exercise"):
        services.add_feedback(hw.therapist, loaded, "Hi", "A", "nope")
    feedback = services.add_feedback(hw.therapist, loaded, "Lovely detail here", "A", "close")
    assert feedback.prompt_key == "close"
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "homework.feedback")
        ).detail["audience"]
        == "A"
    )
    emails = list(
        db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "homework_feedback"))
    )
    assert [e.to_address for e in emails] == [hw.a.email]
    assert "Lovely" not in emails[0].body


def test_mark_reviewed_needs_a_submission(hw, occurrence):
    with pytest.raises(InvalidState, match="Nothing has been submitted"):
        services.mark_reviewed(hw.therapist, _loaded(hw, occurrence))


def test_return_needs_a_submitted_answer_and_a_note(hw, occurrence):
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["x"]}, 0)
    draft = services.open_for_partner(hw.a, seat(hw.a, occurrence)).own
    with pytest.raises(InvalidState, match="Only a submitted"):
        services.return_response(hw.therapist, loaded_response(hw.therapist, draft), "note")
    response = submit_answers(hw.a, occurrence, answers("A")).response
    with pytest.raises(ValidationFailed, match="Say what"):
        services.return_response(hw.therapist, loaded_response(hw.therapist, response), " ")
    services.return_response(hw.therapist, loaded_response(hw.therapist, response), "More")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "homework.return" in actions


def test_release_only_once_and_only_with_held_prompts(hw, occurrence):
    response = submit_answers(hw.a, occurrence, answers("A")).response
    services.release_response(hw.therapist, loaded_response(hw.therapist, response))
    with pytest.raises(InvalidState, match="nothing held back"):
        services.release_response(hw.therapist, loaded_response(hw.therapist, response))
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "homework.release")
        ).object_id
        == response.id
    )


def test_couple_assignments_summarise_each_assignment(hw, occurrence):
    submit_answers(hw.a, occurrence, answers("A"))
    rows = services.couple_assignments(hw.therapist, hw.couple)
    assert [(r.occurrences, r.to_review, r.overdue) for r in rows] == [(1, 1, 0)]
