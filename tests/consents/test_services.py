"""Consents without HTTP: the gate on online sessions and records releases, withdrawal,
versions (material or not), signing with the wrong name, and what each reader sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import clock
from tests.consents.conftest import member_of, online
from therapy_portal.appointments import services as sessions
from therapy_portal.consents import documents, services
from therapy_portal.consents.demo import sign_all
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.consents import ConsentKind, ConsentVersion
from therapy_portal.notes import records
from therapy_portal.policy import consent_status
from therapy_portal.policy import consents as rules

TELE = ConsentKind.TELEHEALTH


def _sign(user, kind=TELE, name=None):
    return services.sign(user, member_of(user), kind, user.name if name is None else name)


def test_an_online_session_waits_for_both_partners_then_a_withdrawal_stops_it(people):
    therapist, couple, a, b = people["therapist"], people["couple"], people["a"], people["b"]
    with pytest.raises(InvalidState) as refused:
        sessions.schedule(therapist, couple, online())
    assert "partner A and partner B" in refused.value.message
    assert refused.value.field == "modality"
    _sign(a)
    with pytest.raises(InvalidState, match="Still needed from partner B:"):
        sessions.schedule(therapist, couple, online())
    _sign(b)
    made = sessions.schedule(therapist, couple, online())
    assert len(made) == 1
    services.withdraw(b, member_of(b), TELE)
    with pytest.raises(InvalidState, match="partner B"):
        sessions.schedule(therapist, couple, online(days=8))
    with pytest.raises(InvalidState, match="partner B"):
        sessions.reschedule(therapist, made[0], online(days=9))


def test_withdrawal_flags_future_online_sessions_without_cancelling_them(people):
    therapist, couple, a = people["therapist"], people["couple"], people["a"]
    sign_all(couple, [TELE])
    ahead = sessions.schedule(therapist, couple, online())[0]
    assert consent_status.for_therapist(couple).flagged == []
    services.withdraw(a, member_of(a), TELE)
    status = consent_status.for_therapist(couple)
    assert [(f.appointment_id, f.lacking) for f in status.flagged] == [(ahead.id, ["A"])]
    assert ahead.status == "scheduled"


def test_in_person_and_one_partner_online_sessions_ask_only_whom_they_concern(people):
    therapist, couple, a = people["therapist"], people["couple"], people["a"]
    in_person = online()
    in_person = type(in_person)(**{**in_person.__dict__, "modality": "in_person"})
    assert sessions.schedule(therapist, couple, in_person)
    _sign(a)
    assert sessions.schedule(therapist, couple, online(days=3, attendees="A"))
    with pytest.raises(InvalidState, match="partner B"):
        sessions.schedule(therapist, couple, online(days=4, attendees="B"))


def test_records_release_needs_the_release_consent_of_each_partner_concerned(people):
    therapist, couple, a, b = people["therapist"], people["couple"], people["a"], people["b"]
    day = clock.today()
    with pytest.raises(InvalidState, match="Release of records") as refused:
        records.record_authorization(therapist, couple, "A", "written", day)
    assert refused.value.field == "partner_label"
    _sign(a, ConsentKind.RECORDS_RELEASE)
    records.record_authorization(therapist, couple, "A", "written", day)
    with pytest.raises(InvalidState, match="partner B"):
        records.start_release(therapist, couple, "full")
    _sign(b, ConsentKind.RECORDS_RELEASE)
    records.record_authorization(therapist, couple, "B", "written", day)
    assert records.start_release(therapist, couple, "full") is not None
    services.withdraw(a, member_of(a), ConsentKind.RECORDS_RELEASE)
    with pytest.raises(InvalidState, match="partner A"):
        records.start_release(therapist, couple, "full")


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("  partner a   of lopez &  KIM ", True),
        ("Partner A of Lopez & Kim", True),
        ("Partner B of Lopez & Kim", False),
        ("Partner A", False),
        ("", False),
    ],
)
def test_the_typed_name_must_be_the_partner_s_own(people, typed, ok):
    a = people["a"]
    if ok:
        signature = _sign(a, name=typed)
        assert signature.typed_name == " ".join(typed.split())
        assert signature.signed_on == clock.today()
        return
    with pytest.raises(ValidationFailed) as refused:
        _sign(a, name=typed)
    assert refused.value.field == "typed_name"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.sign")) is None


def test_a_material_version_needs_signing_again_a_minor_one_does_not(people):
    admin, couple, a = people["admin"], people["couple"], people["a"]
    sign_all(couple, [TELE])
    first = _version(a)
    minor = services.publish(admin, TELE, "Online sessions and messaging", "Typo fixed.", False)
    assert minor.number == 2 and rules.missing(couple, TELE, "AB") == []
    material = services.publish(admin, TELE, "Online sessions", "New platform.", True)
    assert material.number == 3 and rules.missing(couple, TELE, "AB") == ["A", "B"]
    consents = rules.couple_consents(couple)["A"]
    assert next(c for c in consents if c.kind == TELE).state == rules.ConsentState.OUTDATED
    _sign(a)
    assert rules.missing(couple, TELE, "AB") == ["B"]
    assert _version(a) == 3 and first == 1
    old = db.session.scalar(select(ConsentVersion).where(ConsentVersion.number == 1))
    assert old.body != "New platform."


def _version(user) -> int:
    consents = rules.couple_consents(member_of(user).couple)[member_of(user).label]
    return next(c for c in consents if c.kind == TELE).signature.version.number


def test_versions_never_change_once_saved(people):
    services.ensure_documents(people["practice"].id)
    version = db.session.scalars(select(ConsentVersion)).first()
    version.body = "rewritten"
    with pytest.raises(ValueError, match="never change"):
        db.session.flush()
    db.session.rollback()


def test_publishing_is_the_admin_s_and_refuses_empty_or_unchanged_text(people):
    admin, therapist = people["admin"], people["therapist"]
    with pytest.raises(NotAllowed):
        services.publish(therapist, TELE, "t", "b", True)
    with pytest.raises(ValidationFailed) as empty:
        services.publish(admin, TELE, "Title", "   ", True)
    assert empty.value.field == "body"
    current = services.current_versions(admin.practice_id)[TELE]
    with pytest.raises(ValidationFailed, match="Nothing changed"):
        services.publish(admin, TELE, current.title, current.body, False)


def test_the_confidentiality_document_follows_the_couple_s_policy(people):
    couple = people["couple"]
    assert ConsentKind.NO_SECRETS in rules.kinds_for(couple)
    couple.confidentiality_policy = "limited_secrets"
    assert ConsentKind.LIMITED_SECRETS in rules.kinds_for(couple)
    assert ConsentKind.NO_SECRETS not in rules.kinds_for(couple)
    with pytest.raises(NotAllowed):
        rules.member_for_partner_or_404(people["a"], ConsentKind.NO_SECRETS)


def test_a_partner_sees_the_other_s_state_never_their_signature(people):
    a, b = people["a"], people["b"]
    _sign(b, name=f"  {b.name.upper()} ")
    page = services.for_partner(a, member_of(a))
    assert page.other[TELE] == "Signed"
    assert all(c.signature is None for c in page.own)
    assert b.name.upper() not in repr(page.own) and b.name.upper() not in repr(page.other)
    with pytest.raises(NotAllowed):
        rules.own_signature_or_404(
            a, rules.couple_consents(member_of(b).couple)["B"][2].signature.id
        )


def test_every_step_is_audited_without_the_typed_name(people):
    admin, a = people["admin"], people["a"]
    _sign(a)
    services.withdraw(a, member_of(a), TELE)
    services.publish(admin, TELE, "Online sessions", "New text.", True)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert {"consent.sign", "consent.withdraw", "consent.version_publish"} <= set(actions)
    assert all(a.name not in str(e.detail) for e in events)


def test_the_record_carries_signatures_and_a_partner_copy_only_its_own(people):
    couple, a, b = people["couple"], people["a"], people["b"]
    _sign(a)
    _sign(b, ConsentKind.RECORDS_RELEASE)
    services.withdraw(a, member_of(a), TELE)
    (full,) = documents.consents_record(couple, None)
    assert len(full.lines) == 2 and "withdrawn" in full.lines[0]
    assert a.name in full.lines[0] and b.name in full.lines[1]
    (own,) = documents.consents_record(couple, "B")
    assert own.lines == [full.lines[1]]
    assert documents.consents_record(people["couple"], "A")[0].lines == [full.lines[0]]
