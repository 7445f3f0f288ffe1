"""Emails are written in their recipient's language, whoever's request (and page language)
caused them, and the personal link's sentence added at delivery follows the recipient too."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale
from sqlalchemy import select

from tests.homework.conftest import hw  # noqa: F401 - the homework world fixture
from tests.homework.factories import assign, first_occurrence, make_version
from therapy_portal.appointments.reminders import when_text
from therapy_portal.auth import invitations
from therapy_portal.extensions import db
from therapy_portal.homework.reminders import queue_homework_reminders
from therapy_portal.mail import send_pending
from therapy_portal.messages import services as messages
from therapy_portal.models import OutboxEmail
from therapy_portal.policy import messages as message_rules

SPANISH_FOOTER = "Este mensaje lo envió el Therapy Portal de tu consulta."
ENGLISH_FOOTER = "This message was sent by your practice's Therapy Portal."


def _outbox(user) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == user.email).order_by(OutboxEmail.id)
        )
    )


def test_new_homework_reaches_each_partner_in_their_own_language(app, hw):  # noqa: F811
    hw.a.locale, hw.b.locale = "es", None
    version = make_version(hw.therapist, title="Very Private Exercise Title")
    with app.test_request_context(headers={"Accept-Language": "en"}):  # the therapist's page
        assign(hw.therapist, hw.couple, version, due_in=3)
    (to_a,), (to_b,) = _outbox(hw.a), _outbox(hw.b)
    assert to_a.subject == "Tienes una tarea nueva"
    assert to_a.body.startswith("Hola:\n\nTienes una tarea nueva en Therapy Portal.\n\n")
    assert to_a.body.endswith(SPANISH_FOOTER + " Si no lo esperabas, puedes ignorarlo.")
    assert to_b.subject == "You have new homework" and ENGLISH_FOOTER in to_b.body
    for email in (to_a, to_b):
        assert "Very Private" not in email.body and hw.a.name not in email.body


def test_a_spanish_speaking_sender_does_not_change_an_english_partners_email(app, hw):  # noqa: F811
    hw.therapist.locale, hw.a.locale = "es", "en"
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assign(hw.therapist, hw.couple, make_version(hw.therapist), due_in=3)
    (to_a,) = _outbox(hw.a)
    assert to_a.subject == "You have new homework" and "Hola" not in to_a.body


def test_a_spanish_partner_gets_a_spanish_invitation_with_a_spanish_link_sentence(app, hw):  # noqa: F811
    hw.a.locale = "es"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        invitations.send(hw.therapist, hw.a)
    db.session.commit()
    (stored,) = [e for e in _outbox(hw.a) if e.kind == "invitation"]
    assert stored.subject == "Tu invitación a Therapy Portal"
    assert "Te han invitado a Therapy Portal" in stored.body and "/invitations/" not in stored.body
    send_pending()  # the worker, outside any request, adds the link in the recipient's language
    (sent,) = [m for m in app.extensions["sent_mail"] if m.to == hw.a.email]
    days = app.config["INVITATION_TTL_DAYS"]
    assert f"El enlace funciona una sola vez y caduca en {days} días:\nhttp" in sent.body
    assert "/invitations/" in sent.body and SPANISH_FOOTER in sent.body


def test_homework_reminders_follow_the_partners_language(app, hw):  # noqa: F811
    hw.a.locale, hw.b.locale = "es", "en"
    first_occurrence(assign(hw.therapist, hw.couple, make_version(hw.therapist), due_in=1))
    assert queue_homework_reminders() == 2
    reminder_a = [e for e in _outbox(hw.a) if e.kind == "homework_due"][0]
    reminder_b = [e for e in _outbox(hw.b) if e.kind == "homework_due"][0]
    assert reminder_a.subject == "Tarea que vence mañana" and "vence mañana" in reminder_a.body
    assert reminder_b.subject == "Homework due tomorrow"


def test_a_message_notice_is_in_the_readers_language(app, hw):  # noqa: F811
    hw.a.locale = "es"
    place = message_rules.thread_for_therapist_or_404(hw.therapist, hw.couple.id, "A")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        messages.send(hw.therapist, place, "Something only for A")
    db.session.flush()
    (notice,) = [e for e in _outbox(hw.a) if e.kind == "message"]
    assert notice.subject == "Tienes un mensaje nuevo"
    assert "Something only for A" not in notice.body and notice.body.split("\n")[3].endswith(
        "/messages"
    )


def test_session_reminder_dates_follow_the_language(ctx):
    start = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)
    with force_locale("en"):
        assert when_text(start, "America/New_York") == "Tuesday 1 December 2026 at 14:30 (EST)"
    with force_locale("es"):
        assert when_text(start, "America/New_York") == (
            "martes, 1 de diciembre de 2026 a las 14:30 (EST)"
        )
