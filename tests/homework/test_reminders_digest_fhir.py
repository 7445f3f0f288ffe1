"""Reminders (idempotent, no PHI), the session-note digest, records and FHIR exports."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.homework.factories import answers, assign, first_occurrence, make_version
from tests.homework.factories import submit as submit_answers
from therapy_portal import reminders
from therapy_portal.extensions import db
from therapy_portal.homework import fhir, services
from therapy_portal.homework.digest import homework_digest, homework_record
from therapy_portal.homework.reminders import queue_homework_reminders
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import OutboxEmail, utcnow


def _reminders() -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.kind.in_(("homework_due", "homework_overdue")))
            .order_by(OutboxEmail.id)
        )
    )


def test_due_tomorrow_and_overdue_reminders_are_queued_once(hw):
    version = make_version(hw.therapist, title="Very Private Exercise Title")
    tomorrow = first_occurrence(assign(hw.therapist, hw.couple, version, due_in=1))
    late = first_occurrence(assign(hw.therapist, hw.couple, version, due_in=1))
    late.due_on = practice_today(hw.therapist) - timedelta(days=2)
    submit_answers(hw.b, late, answers("B"))
    assert queue_homework_reminders() == 3  # due: A and B; overdue: only A
    assert reminders.queue_due_reminders() == 0  # the registered hook: nothing twice
    emails = _reminders()
    assert sorted((e.kind, e.to_address) for e in emails) == sorted(
        [
            ("homework_due", hw.a.email),
            ("homework_due", hw.b.email),
            ("homework_overdue", hw.a.email),
        ]
    )
    for email in emails:
        text = email.subject + "\n" + email.body
        assert "Very Private" not in text and hw.a.name not in text and hw.b.name not in text
        assert text.count("Hello,") == 1 and "/home" in text
    assert tomorrow.id != late.id


def test_no_reminders_for_cancelled_or_closed(hw):
    version = make_version(hw.therapist)
    cancelled = assign(hw.therapist, hw.couple, version, due_in=1)
    services.cancel(hw.therapist, cancelled)
    assign(hw.other_therapist, hw.other_couple, make_version(hw.other_therapist), due_in=1)
    hw.other_couple.status = "closed"
    assert queue_homework_reminders() == 0


def test_digest_lists_assigned_completed_reviewed_and_flags(hw):
    since = utcnow() - timedelta(days=1)
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))
    submit_answers(hw.a, occurrence, answers("A", close="1"))
    submit_answers(hw.b, occurrence, answers("B", close="9"))
    from therapy_portal import policy

    services.mark_reviewed(
        hw.therapist, policy.occurrence_for_therapist_or_404(hw.therapist, occurrence.id)
    )
    sections = {s.title: s.lines for s in homework_digest(hw.couple, since, utcnow())}
    assert "Test exercise" in sections["Homework assigned"][0]
    assert f"{hw.a.name}, {hw.b.name}" in sections["Homework completed"][0]
    assert sections["Homework reviewed"]
    assert any("differ by 8" in line for line in sections["Answers to look at"])


def test_digest_lists_overdue(hw):
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))
    occurrence.due_on = practice_today(hw.therapist) - timedelta(days=1)
    sections = {s.title: s.lines for s in homework_digest(hw.couple, None, utcnow())}
    assert f"waiting for {hw.a.name}, {hw.b.name}" in sections["Homework overdue"][0]


def test_record_for_one_partner_holds_only_what_they_may_see(hw):
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist)))
    submit_answers(hw.a, occurrence, answers("SECRET-A"))
    b_lines = " ".join(line for s in homework_record(hw.couple, "B") for line in s.lines)
    assert "SECRET-A" not in b_lines
    a_lines = " ".join(line for s in homework_record(hw.couple, "A") for line in s.lines)
    assert "private SECRET-A" in a_lines
    full = " ".join(line for s in homework_record(hw.couple, None) for line in s.lines)
    assert "private SECRET-A" in full


def test_fhir_questionnaire_and_response(hw):
    version = make_version(hw.therapist)
    resource = fhir.questionnaire(version)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["version"] == "1" and len(resource["item"]) == len(version.prompts)
    assert None not in resource.values()
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, version))
    response = submit_answers(hw.a, occurrence, answers("A")).response
    qr = fhir.questionnaire_response(version, response, {"close": 5})
    assert qr["resourceType"] == "QuestionnaireResponse" and qr["status"] == "completed"
    assert qr["questionnaire"].endswith("|1")
    assert qr["item"] == [
        {"linkId": "close", "text": "How close did you feel?", "answer": [{"valueInteger": 5}]}
    ]


def test_library_load_is_idempotent_and_versions_changes(ctx, monkeypatch):
    from therapy_portal.homework import library
    from therapy_portal.homework.services import library_load as tmod
    from therapy_portal.models.homework import ExerciseTemplate, ExerciseVersion

    first = services.load_library()
    assert first["created"] == len(library.load_builtin_templates()) >= 12
    assert services.load_library() == {"created": 0, "updated": 0, "unchanged": first["created"]}
    changed = library.load_builtin_templates()
    changed[0] = changed[0].__class__(**{**changed[0].__dict__, "title": "Renamed"})
    monkeypatch.setattr(tmod, "load_builtin_templates", lambda: changed)
    assert services.load_library()["updated"] == 1
    template = db.session.scalar(
        select(ExerciseTemplate).where(ExerciseTemplate.slug == changed[0].slug)
    )
    assert template.latest_number == 2 and template.title == "Renamed"
    assert (
        db.session.scalar(select(func.count()).where(ExerciseVersion.template_id == template.id))
        == 2
    )


def test_versions_are_immutable_and_editing_makes_a_new_version(hw):
    import pytest

    from therapy_portal.models.homework import ExerciseTemplate

    version = make_version(hw.therapist)

    template = db.session.get(ExerciseTemplate, version.template_id)
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, version))
    data = services.TemplateInput(
        title="Edited",
        family="gratitude",
        summary="",
        instructions="New words.",
        default_mode="each_partner",
        default_cadence="once",
        prompts=[{"key": "only", "type": "short_text", "label": "One"}],
    )
    newer = services.save_new_version(hw.therapist, template, data)
    assert newer.number == 2
    assert db.session.get(type(occurrence), occurrence.id).assignment_id
    from therapy_portal.models.homework import Assignment

    assert db.session.get(Assignment, occurrence.assignment_id).version_id == version.id
    assert version.title == "Test exercise"
    version.title = "changed"
    with pytest.raises(ValueError, match="never change"):
        db.session.flush()
    db.session.rollback()


def test_template_without_prompts_is_refused_clearly(hw):
    import pytest

    from therapy_portal.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="at least one prompt"):
        make_version(hw.therapist, prompts=[])
