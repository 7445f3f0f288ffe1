"""Assigning: policy defaults, due dates, recurrence, the assignment state machine, emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.homework.factories import PROMPTS, answers, assign, first_occurrence, make_version, seat
from tests.homework.factories import submit as submit_answers
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import AuditEvent, OutboxEmail
from therapy_portal.models.homework import Occurrence


def _occurrences(assignment) -> list[Occurrence]:
    return list(
        db.session.scalars(
            select(Occurrence)
            .where(Occurrence.assignment_id == assignment.id)
            .order_by(Occurrence.sequence)
        )
    )


def test_once_makes_one_occurrence_due_on_the_date(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist), due_in=4)
    [occurrence] = _occurrences(assignment)
    assert occurrence.due_on == practice_today(hw.therapist) + timedelta(days=4)
    assert assignment.ends_on is None


def test_daily_makes_one_occurrence_per_day_until_the_end_date(hw):
    assignment = assign(
        hw.therapist, hw.couple, make_version(hw.therapist), due_in=0, cadence="daily", ends_in=6
    )
    days = [o.due_on for o in _occurrences(assignment)]
    today = practice_today(hw.therapist)
    assert days == [today + timedelta(days=i) for i in range(7)]


def test_weekly_makes_one_occurrence_per_week_including_the_end_date(hw):
    assignment = assign(
        hw.therapist, hw.couple, make_version(hw.therapist), due_in=1, cadence="weekly", ends_in=22
    )
    assert [o.sequence for o in _occurrences(assignment)] == [1, 2, 3, 4]


def test_daily_without_an_end_date_is_refused(hw):
    with pytest.raises(ValidationFailed, match="needs an end date") as info:
        assign(hw.therapist, hw.couple, make_version(hw.therapist), cadence="daily")
    assert info.value.field == "ends_on"


def test_end_before_first_due_is_refused(hw):
    with pytest.raises(ValidationFailed, match="on or after"):
        assign(
            hw.therapist,
            hw.couple,
            make_version(hw.therapist),
            due_in=5,
            cadence="weekly",
            ends_in=2,
        )


def test_more_than_sixty_occurrences_is_refused_with_the_count(hw):
    with pytest.raises(ValidationFailed, match="61 pieces of homework; the most is 60"):
        assign(
            hw.therapist,
            hw.couple,
            make_version(hw.therapist),
            due_in=0,
            cadence="daily",
            ends_in=60,
        )


def test_due_date_in_the_past_is_refused(hw):
    with pytest.raises(ValidationFailed, match="can't be in the past") as info:
        assign(hw.therapist, hw.couple, make_version(hw.therapist), due_in=-1)
    assert info.value.field == "due_on"


def test_closed_couple_cannot_get_homework(hw):
    hw.couple.status = "closed"
    with pytest.raises(InvalidState, match="couple is closed"):
        assign(hw.therapist, hw.couple, make_version(hw.therapist))


def test_therapist_of_another_couple_cannot_assign(hw):
    version = make_version(hw.therapist)
    with pytest.raises(NotAllowed):
        assign(hw.other_therapist, hw.couple, version)


def test_limited_secrets_keeps_private_prompts_therapist_only(hw):
    version = make_version(hw.therapist)
    chosen = {p["key"]: p["visibility"] for p in PROMPTS} | {"private": "shared_at_once"}
    with pytest.raises(ValidationFailed, match="limited-secrets") as info:
        assign(hw.therapist, hw.couple, version, visibility=chosen)
    assert info.value.field == "vis_private"


def test_limited_secrets_default_keeps_therapist_only(hw):
    version = make_version(hw.therapist)
    assert services.resolve_visibility(hw.couple, version, {})["private"] == "therapist_only"


def test_no_secrets_defaults_private_prompts_to_released_by_therapist(hw):
    version = make_version(hw.therapist)
    hw.couple.confidentiality_policy = "no_secrets"
    visibility = services.resolve_visibility(hw.couple, version, {})
    assert visibility["private"] == "released_by_therapist"
    assert visibility["after_both"] == "shared_after_both"
    # The therapist may still keep it private.
    kept = services.resolve_visibility(hw.couple, version, {"private": "therapist_only"})
    assert kept["private"] == "therapist_only"


def test_limited_secrets_refuses_joint_mode_with_private_prompts(hw):
    version = make_version(hw.therapist)
    with pytest.raises(ValidationFailed, match="can't be answered jointly"):
        assign(hw.therapist, hw.couple, version, mode="joint")


def test_assigning_emails_each_partner_without_phi(hw):
    version = make_version(hw.therapist, title="Secret Title Exercise")
    assign(hw.therapist, hw.couple, version, note="Private note")
    emails = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "homework_new")))
    assert sorted(e.to_address for e in emails) == sorted([hw.a.email, hw.b.email])
    for email in emails:
        text = email.subject + email.body
        assert "Secret Title" not in text and "Private note" not in text
        assert hw.a.name not in text and hw.b.name not in text
        assert text.count("Hello,") == 1 and "/home" in email.body


def test_assign_is_audited(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "homework.assign"))
    assert event.object_id == assignment.id and event.couple_id == hw.couple.id


def test_cancel_moves_active_to_cancelled_once(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist))
    services.cancel(hw.therapist, assignment)
    assert assignment.status == "cancelled" and assignment.cancelled_at is not None
    with pytest.raises(InvalidState, match="already cancelled"):
        services.cancel(hw.therapist, assignment)


def test_cancelled_assignment_cannot_be_answered_and_keeps_the_draft(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist))
    occurrence = first_occurrence(assignment)
    services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["my words"]}, 0)
    services.cancel(hw.therapist, assignment)
    with pytest.raises(InvalidState, match="cancelled this homework"):
        services.save_draft(hw.a, seat(hw.a, occurrence), {"p_private": ["more"]}, 1)
    with pytest.raises(InvalidState, match="cancelled this homework"):
        submit_answers(hw.a, occurrence, answers())
    view = services.open_for_partner(hw.a, seat(hw.a, occurrence))
    assert view.own.draft == {"p_private": ["my words"]}


def test_change_due_date_moves_one_occurrence_and_refuses_the_past(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist), due_in=2)
    occurrence = first_occurrence(assignment)
    later = practice_today(hw.therapist) + timedelta(days=9)
    services.change_due_date(hw.therapist, occurrence, later)
    assert occurrence.due_on == later
    with pytest.raises(ValidationFailed, match="past"):
        services.change_due_date(
            hw.therapist, occurrence, practice_today(hw.therapist) - timedelta(days=1)
        )


def test_change_due_date_of_cancelled_assignment_is_refused(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist))
    services.cancel(hw.therapist, assignment)
    with pytest.raises(InvalidState, match="cancelled"):
        services.change_due_date(
            hw.therapist,
            first_occurrence(assignment),
            practice_today(hw.therapist) + timedelta(days=3),
        )


def test_extend_adds_occurrences_up_to_the_new_end(hw):
    assignment = assign(
        hw.therapist, hw.couple, make_version(hw.therapist), due_in=0, cadence="weekly", ends_in=7
    )
    added = services.extend(
        hw.therapist, assignment, practice_today(hw.therapist) + timedelta(days=21)
    )
    assert added == 2
    assert [o.sequence for o in _occurrences(assignment)] == [1, 2, 3, 4]


def test_extend_refuses_once_and_earlier_end_and_the_cap(hw):
    today = practice_today(hw.therapist)
    once = assign(hw.therapist, hw.couple, make_version(hw.therapist))
    with pytest.raises(InvalidState, match="One-off"):
        services.extend(hw.therapist, once, today + timedelta(days=30))
    daily = assign(
        hw.therapist, hw.couple, make_version(hw.therapist), due_in=0, cadence="daily", ends_in=10
    )
    with pytest.raises(ValidationFailed, match="later than"):
        services.extend(hw.therapist, daily, today + timedelta(days=5))
    with pytest.raises(ValidationFailed, match="the most is 60"):
        services.extend(hw.therapist, daily, today + timedelta(days=80))
    assert db.session.scalar(select(func.count()).where(Occurrence.assignment_id == daily.id)) == 11
