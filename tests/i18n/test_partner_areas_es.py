"""The partner area in Spanish: a partner who chose Spanish reads home, homework, check-ins,
consents, sessions and messages in Spanish, with Spanish validation errors and flashes; a
partner who did not still reads English (the same cached form classes serve both).

Also: every string the partner area's templates mark for translation has a Spanish entry."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from sqlalchemy import select

from tests.appointments.factories import make_session
from tests.factories import login
from tests.homework.factories import assign, make_version
from tests.measures.factories import make_schedule
from therapy_portal.extensions import db
from therapy_portal.i18n import TRANSLATIONS
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence

ROOT = Path(__file__).resolve().parents[2]
# The templates a partner reads (the partner area of issue 15, item 5).
PARTNER_TEMPLATES = [
    "partner/home.html",
    "homework/answer.html",
    "homework/_answer_fields.html",
    "measures/answer.html",
    "measures/partner_index.html",
    "consents/partner_index.html",
    "consents/document.html",
    "appointments/partner_index.html",
    "appointments/partner_detail.html",
    "appointments/feed_link.html",
    "appointments/_macros.html",
    "messages/partner_index.html",
    "messages/thread.html",
    "messages/_emergency.html",
]


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


@pytest.fixture
def es_world(app, world):
    """The shared world, partner A having chosen Spanish (partner B chose nothing)."""
    with app.app_context():
        db.session.get(User, world.ids["partner_a"]).locale = "es"
        db.session.commit()
    return world


def _occurrence(app, world) -> int:
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        assignment = assign(therapist, couple, make_version(therapist))
        occurrence_id = db.session.scalar(
            select(Occurrence.id).where(Occurrence.assignment_id == assignment.id)
        )
        db.session.commit()
        return occurrence_id


def _schedule(app, world) -> int:
    with app.app_context():
        schedule = make_schedule(db.session.get(Couple, world.couple_ids["c1"]))
        db.session.commit()
        return schedule.id


def _submit_unanswered(client, occurrence_id: int, page: str):
    """Submit the answer page just read with its required answer left empty."""
    return client.post(
        f"/homework/{occurrence_id}",
        data={
            "action": "submit",
            "version": _hidden(page, "version"),
            "idempotency_key": _hidden(page, "idempotency_key"),
        },
    )


def test_home_is_in_spanish(app, client, es_world):
    _occurrence(app, es_world)
    login(client, es_world.emails["partner_a"])
    home = _text(client.get("/home"))
    for text in ("Mis tareas", "Pendiente ahora", "Comentarios de tu terapeuta", "Vence el"):
        assert text in home
    # (The navigation comes from base.html, translated with the shared layout.)
    for text in ("Due now", "<h1>My homework</h1>", "Feedback from your therapist"):
        assert text not in home


def test_homework_answer_page_errors_and_flash_are_in_spanish(app, client, es_world):
    occurrence_id = _occurrence(app, es_world)
    login(client, es_world.emails["partner_a"])
    page = _text(client.get(f"/homework/{occurrence_id}"))
    assert "Qué hacer" in page and "Guardar borrador" in page and "Mi respuesta" in page
    assert "Solo tu terapeuta verá esta respuesta. Tu pareja no." in page
    assert "Hasta 500 caracteres." in page and "obligatoria" in page
    assert "Up to 500 characters." not in page
    refused = _submit_unanswered(client, occurrence_id, page)
    html = _text(refused)
    assert refused.status_code == 422
    assert "Responde a esta pregunta." in html
    assert "Tu respuesta se guardó como borrador, pero todavía no se ha enviado" in html
    assert "Please answer this question." not in html
    again = _text(client.get(f"/homework/{occurrence_id}"))
    saved = client.post(
        f"/homework/{occurrence_id}",
        data={
            "action": "save",
            "p_private": "Algo",
            "version": _hidden(again, "version"),
            "idempotency_key": _hidden(again, "idempotency_key"),
        },
        follow_redirects=True,
    )
    assert "Borrador guardado." in _text(saved)


def test_an_english_partner_gets_english_from_the_same_form_class(app, client, es_world):
    occurrence_id = _occurrence(app, es_world)
    login(client, es_world.emails["partner_a"])
    assert "Hasta 500 caracteres." in _text(client.get(f"/homework/{occurrence_id}"))
    client.post("/logout")
    login(client, es_world.emails["partner_b"])
    page = _text(client.get(f"/homework/{occurrence_id}"))
    assert "Up to 500 characters." in page and "What to do" in page
    assert "Hasta 500 caracteres." not in page
    refused = _submit_unanswered(client, occurrence_id, page)
    assert "Please answer this question." in _text(refused)


def test_checkins_are_in_spanish_with_spanish_errors(app, client, es_world):
    schedule_id = _schedule(app, es_world)
    login(client, es_world.emails["partner_a"])
    listing = _text(client.get("/checkins"))
    assert "<h1>Cuestionarios de seguimiento</h1>" in listing
    assert "Todavía no has respondido ningún cuestionario de seguimiento." in listing
    form = _text(client.get(f"/checkins/{schedule_id}"))
    assert "Enviar mis respuestas" in form and "Volver a tus cuestionarios" in form
    refused = client.post(
        f"/checkins/{schedule_id}", data={"item_1": "3", "item_2": "4", "item_4": "2"}
    )
    assert refused.status_code == 422
    assert "Elige una respuesta para la pregunta 3." in _text(refused)
    sent = client.post(
        f"/checkins/{schedule_id}",
        data={"item_1": "3", "item_2": "4", "item_3": "3", "item_4": "2"},
        follow_redirects=True,
    )
    html = _text(sent)
    assert "Gracias. Tu cuestionario de seguimiento se ha enviado a tu terapeuta." in html
    assert "12 de 21" in html


def test_consents_are_in_spanish_with_a_spanish_field_error(app, client, es_world):
    login(client, es_world.emails["partner_a"])
    listing = _text(client.get("/consents"))
    assert "<h1>Consentimientos</h1>" in listing and "Sin firmar todavía" in listing
    assert "Sesiones en línea y mensajería" in listing
    page = _text(client.get("/consents/telehealth"))
    assert "Firmar este consentimiento" in page and "Escribe tu nombre completo" in page
    refused = client.post("/consents/telehealth/sign", data={"typed_name": "Someone Else"})
    assert refused.status_code == 422
    assert "Escribe tu propio nombre tal como lo tiene la consulta" in _text(refused)


def test_sessions_page_and_reminder_flash_are_in_spanish(app, client, es_world):
    login(client, es_world.emails["partner_a"])
    page = _text(client.get("/my-sessions"))
    for text in ("Mis sesiones", "Recordatorios", "24 horas antes", "No hay sesiones programadas."):
        assert text in page
    saved = client.post("/my-sessions/reminders", data={"remind_24h": "y"}, follow_redirects=True)
    assert "Se ha guardado tu elección de recordatorios." in _text(saved)


def test_a_session_its_calendar_file_and_the_private_feed_are_in_spanish(app, client, es_world):
    with app.app_context():
        therapist = db.session.get(User, es_world.ids["therapist"])
        couple = db.session.get(Couple, es_world.couple_ids["c1"])
        session_id = make_session(
            therapist, couple, modality="online", link="https://video.example.org/x"
        ).id
        db.session.commit()
    login(client, es_world.emails["partner_a"])
    listing = _text(client.get("/my-sessions"))
    assert "Próximas" in listing and "En línea (video)" in listing
    page = _text(client.get(f"/my-sessions/{session_id}"))
    assert "Tu sesión del" in page and "Unirme a la sesión en línea" in page
    assert "50 minutos" in page and "Los dos" in page
    ics = client.get(f"/my-sessions/{session_id}/calendar.ics").get_data(as_text=True)
    assert "Sesión con Therapist X" in ics and "Unirse en línea" in ics
    made = _text(client.post("/calendar-feed"))
    assert "Tu enlace de calendario privado" in made
    link = re.search(r'value="(http[^"]+\.ics)"', made).group(1)
    feed = app.test_client().get(link.split("localhost", 1)[1]).get_data(as_text=True)
    assert "Sesión de terapia" in feed and "Therapy session" not in feed


def test_messages_are_in_spanish_with_a_spanish_refusal_and_flash(app, client, es_world):
    login(client, es_world.emails["partner_a"])
    index = _text(client.get("/messages"))
    assert "No es para emergencias" in index and "Mensajes privados con tu terapeuta" in index
    assert "Los mensajes no son para emergencias." in index
    assert "llama ahora al 911" in index  # the default crisis text, translated
    refused = client.post("/messages/private", data={"body": "  "})
    assert refused.status_code == 422
    assert "Escribe un mensaje antes de enviarlo." in _text(refused)
    sent = client.post("/messages/private", data={"body": "Hola"}, follow_redirects=True)
    html = _text(sent)
    assert "Mensaje enviado." in html and "Mensajes, los más recientes primero" in html


def test_an_english_partner_still_reads_english(app, client, es_world):
    login(client, es_world.emails["partner_b"])
    assert "Due now" in _text(client.get("/home"))
    assert "<h1>Check-ins</h1>" in _text(client.get("/checkins"))
    assert "Not signed yet" in _text(client.get("/consents"))
    assert "My sessions" in _text(client.get("/my-sessions"))
    assert "Not for emergencies" in _text(client.get("/messages"))


def test_every_partner_template_string_has_a_spanish_translation():
    with open(TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        catalogue = read_mo(f)
    missing = []
    for name in PARTNER_TEMPLATES:
        path = ROOT / "templates" / name
        for _line, msgid, _comments, _context in extract_from_file("jinja2", str(path)):
            key = msgid if isinstance(msgid, str) else msgid[0]
            message = catalogue.get(msgid if isinstance(msgid, str) else msgid[0])
            found = message.string if message else None
            if not (all(found) if isinstance(found, tuple) else found):  # every plural form
                missing.append(f"{name}: {key}")
    assert not missing, "\n".join(missing)
