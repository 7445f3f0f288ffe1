"""The exact version a partner signed stays readable by the therapist after the practice edits
the document; online sessions whose partners' telehealth consent is missing or withdrawn are
flagged on Today and on the session page (scheduling one is refused: `test_services`)."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from tests.appointments.factories import make_session
from tests.consents.conftest import member_of
from tests.factories import login
from therapy_portal.consents import documents, services
from therapy_portal.consents.demo import sign_all
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, User, utcnow
from therapy_portal.models.consents import ConsentKind, ConsentSignature
from therapy_portal.policy import consents as rules
from therapy_portal.today.sections_sessions import telehealth_flag

TELE = ConsentKind.TELEHEALTH


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_signed_version_stays_readable_after_the_document_is_edited(app, people):
    admin, therapist, couple, a = (
        people["admin"],
        people["therapist"],
        people["couple"],
        people["a"],
    )
    services.sign(a, member_of(a), TELE, a.name)
    signed = db.session.scalar(select(ConsentSignature))
    old_body = signed.version.body
    services.publish(admin, TELE, "Online sessions, revised", "A wholly new platform text.", True)
    db.session.expire_all()
    signed = db.session.get(ConsentSignature, signed.id)
    assert signed.version.number == 1 and signed.version.body == old_body
    with app.test_request_context():
        text = _text(documents.signature_pdf(therapist, couple, signed).pdf)
    assert "A wholly new platform text." not in text
    assert " ".join(old_body.split()[:6]) in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.pdf"))
    assert event.detail["version"] == 1 and event.couple_id == couple.id


def test_online_sessions_lacking_telehealth_consent_are_flagged(people, count_queries):
    therapist, couple, a = people["therapist"], people["couple"], people["a"]
    soon = utcnow() + timedelta(days=2)
    both = make_session(
        therapist, couple, starts_at=soon, modality="online", link="https://x.org/r"
    )
    only_b = make_session(
        therapist, couple, starts_at=soon, modality="online", link="https://x.org/r", attendees="B"
    )
    in_person = make_session(therapist, couple, starts_at=soon)
    sessions = [both, only_b, in_person]
    assert rules.missing_for_sessions(sessions) == {both.id: ["A", "B"], only_b.id: ["B"]}
    sign_all(couple, [TELE])
    assert rules.missing_for_sessions(sessions) == {}
    services.withdraw(a, member_of(a), TELE)
    db.session.flush()  # the withdrawal's writes belong to no read's budget
    with count_queries() as counted:
        assert rules.missing_for_sessions(sessions) == {both.id: ["A"]}
    assert counted.count == 1
    assert rules.missing_for_sessions([in_person]) == {}
    assert "partner A and B" in telehealth_flag(["A", "B"]) and telehealth_flag(None) == ""


def test_today_and_the_session_page_flag_the_missing_consent(app, world, client):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        start = utcnow() + timedelta(days=1)
        session = make_session(
            therapist, couple, starts_at=start, modality="online", link="https://x.org/r"
        )
        session_id = session.id
        db.session.commit()
    login(client, world.emails["therapist"])
    today = client.get("/today").get_data(as_text=True)
    assert "telehealth consent of partner A and B is missing or withdrawn" in today
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "partner A and B has not signed it or has withdrawn it" in page
    with app.app_context():
        sign_all(db.session.get(Couple, world.couple_ids["c1"]), [TELE])
        db.session.commit()
    assert "telehealth consent" not in client.get("/today").get_data(as_text=True)
    assert "has withdrawn it" not in client.get(f"/sessions/{session_id}").get_data(as_text=True)
