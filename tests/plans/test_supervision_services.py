"""The supervision state machine: sign → awaiting co-signature → co-signed; who may co-sign;
comments never change a note; what counts as final."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.appointments.factories import make_session
from tests.clock import TEST_PRACTICE_ZONE
from tests.factories import make_user
from tests.notes.factories import make_note, note_input
from tests.plans.factories import make_plan, supervise
from therapy_portal import cosigning
from therapy_portal.appointments.queries import sessions_without_signed_note
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Role, utcnow
from therapy_portal.models.notes import SessionNote
from therapy_portal.models.supervision import SignedKind
from therapy_portal.notes import services as note_services
from therapy_portal.notes.signing import sign_note_fields
from therapy_portal.policy import supervision as rules
from therapy_portal.supervision import services


def _final(note_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(SessionNote.id).where(SessionNote.id == note_id, rules.final_note())
        )
    )


def test_an_unsupervised_therapists_signed_note_is_final(people):
    note = make_note(people.therapist, people.couple, signed=True)
    assert cosigning.cosignature_for(SignedKind.NOTE, note.id) is None
    assert _final(note.id)


def test_sign_then_awaiting_then_cosigned(people):
    supervise(people.therapist, people.other_therapist)
    note = make_note(people.therapist, people.couple, signed=True)
    waiting = cosigning.cosignature_for(SignedKind.NOTE, note.id)
    assert waiting.awaiting and waiting.supervisor_id == people.other_therapist.id
    assert not _final(note.id)
    assert [w.object_id for w in services.queue(people.other_therapist)] == [note.id]
    services.cosign(people.other_therapist, waiting, note.signature)
    assert not waiting.awaiting and waiting.cosigner_name == "Sam Supervisor"
    assert _final(note.id)
    assert services.queue(people.other_therapist) == []
    with pytest.raises(InvalidState):  # once is enough
        services.cosign(people.other_therapist, waiting, note.signature)


def test_cosign_by_someone_else_is_refused_with_a_message(people):
    supervise(people.therapist, people.other_therapist)
    note = make_note(people.therapist, people.couple, signed=True)
    waiting = cosigning.cosignature_for(SignedKind.NOTE, note.id)
    for someone in (people.therapist, make_user(people.practice, Role.THERAPIST)):
        with pytest.raises(InvalidState) as error:
            services.cosign(someone, waiting, note.signature)
        assert error.value.message == rules.ONLY_SUPERVISOR
    assert waiting.awaiting


def test_editing_after_signing_is_impossible_while_awaiting(people):
    supervise(people.therapist, people.other_therapist)
    note = make_note(people.therapist, people.couple, signed=True)
    with pytest.raises(InvalidState):
        note_services.save_draft(people.therapist, note, note_input(note), note.version)


def test_a_comment_is_stored_apart_and_the_note_is_unchanged(people):
    supervise(people.therapist, people.other_therapist)
    note = make_note(people.therapist, people.couple, signed=True)
    before = (note.signature, note.version, dict(note.sections))
    waiting = cosigning.cosignature_for(SignedKind.NOTE, note.id)
    services.add_comment(people.other_therapist, note, waiting, "Consider a safety plan review.")
    db.session.flush()
    db.session.refresh(note)
    assert (note.signature, note.version, dict(note.sections)) == before
    assert note.signature == sign_note_fields(note)
    [comment] = cosigning.comments_on(note.id)
    assert comment.author_name == "Sam Supervisor" and comment.body.startswith("Consider")
    with pytest.raises(InvalidState):  # the author does not comment as a supervisor
        services.add_comment(people.therapist, note, waiting, "Mine.")
    with pytest.raises(ValidationFailed):
        services.add_comment(people.other_therapist, note, waiting, "   ")


def test_a_supervised_plan_awaits_cosignature(people):
    supervise(people.therapist, people.other_therapist)
    version = make_plan(people.therapist, people.couple, signed=True)
    waiting = cosigning.cosignature_for(SignedKind.PLAN, version.id)
    assert waiting.awaiting
    services.cosign(people.other_therapist, waiting, version.signature)
    assert not waiting.awaiting


def test_a_note_awaiting_cosignature_leaves_the_session_without_a_final_note(people):
    supervise(people.therapist, people.other_therapist)
    appointment = make_session(
        people.therapist, people.couple, starts_at=utcnow() - timedelta(days=1, hours=2)
    )
    note = make_note(
        people.therapist,
        people.couple,
        signed=True,
        session_date=appointment.starts_at.astimezone(ZoneInfo(TEST_PRACTICE_ZONE)).date(),
    )
    assert appointment.id in [a.id for a in sessions_without_signed_note(people.therapist)]
    waiting = cosigning.cosignature_for(SignedKind.NOTE, note.id)
    services.cosign(people.other_therapist, waiting, note.signature)
    assert appointment.id not in [a.id for a in sessions_without_signed_note(people.therapist)]


def test_admin_sets_and_ends_supervision_audited(people):
    admin = make_user(people.practice, Role.ADMIN)
    services.set_supervisor(admin, people.therapist.id, people.other_therapist.id)
    assert services.supervisors(admin) == {people.therapist.id: people.other_therapist.id}
    with pytest.raises(ValidationFailed):  # not one's own supervisor
        services.set_supervisor(admin, people.therapist.id, people.therapist.id)
    services.set_supervisor(admin, people.therapist.id, None)
    assert services.supervisors(admin) == {}
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("supervision.%"))
    ).all()
    assert sorted(actions) == ["supervision.end", "supervision.set"]
    with pytest.raises(NotAllowed):  # a therapist does not set supervision
        services.set_supervisor(people.therapist, people.therapist.id, None)


def test_supervision_stays_within_the_practice(people):
    from tests.factories import make_practice  # noqa: PLC0415

    admin = make_user(people.practice, Role.ADMIN)
    elsewhere = make_user(make_practice("Far"), Role.THERAPIST)
    with pytest.raises(NotAllowed):
        services.set_supervisor(admin, people.therapist.id, elsewhere.id)
