"""Choosing a language: the account page (stored, audited), the anonymous switch (kept in the
session), the browser's Accept-Language otherwise, and <html lang> following the choice."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, User


def _lang(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', html).group(1)


def _locale(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).locale


def test_a_partner_chooses_spanish_and_it_is_stored_audited_and_used(app, client, world):
    login(client, world.emails["partner_a"])
    page = client.get("/account/language").get_data(as_text=True)
    assert _lang(page) == "en" and "<h1>Language</h1>" in page and "Español" in page
    response = client.post("/account/language", data={"language": "es"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _lang(html) == "es"
    assert "<h1>Idioma</h1>" in html and "Se ha guardado tu elección de idioma." in html
    assert "Cerrar sesión" in html and "Saltar al contenido" in html
    assert _locale(app, world.ids["partner_a"]) == "es"
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "auth.language_change")
        )
        assert event.actor_id == world.ids["partner_a"] and event.detail == {"kind": "es"}
        assert event.object_id == world.ids["partner_a"]
    # The choice beats the browser's, on every page, until changed back.
    home = client.get("/account/security", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _lang(home.get_data(as_text=True)) == "es"
    assert "Seguridad del inicio de sesión" in home.get_data(as_text=True)


def test_following_the_browser_again_stores_nothing(app, client, world):
    login(client, world.emails["partner_b"])
    client.post("/account/language", data={"language": "es"})
    client.post("/account/language", data={"language": ""})
    assert _locale(app, world.ids["partner_b"]) is None
    spanish_browser = client.get("/account/language", headers={"Accept-Language": "es-MX,es"})
    assert _lang(spanish_browser.get_data(as_text=True)) == "es"
    english_browser = client.get("/account/language", headers={"Accept-Language": "en-US"})
    assert _lang(english_browser.get_data(as_text=True)) == "en"
    with app.app_context():
        kinds = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "auth.language_change")
        ).all()
        assert kinds == [{"kind": "es"}, {"kind": "browser"}]


def test_an_unknown_language_is_refused_and_nothing_changes(app, client, world):
    login(client, world.emails["therapist"])
    response = client.post("/account/language", data={"language": "fr"})
    assert response.status_code == 400
    assert _locale(app, world.ids["therapist"]) is None


def test_the_security_page_links_to_the_language_page(client, world):
    login(client, world.emails["partner_a"])
    html = client.get("/account/security").get_data(as_text=True)
    assert 'href="/account/language"' in html


def test_the_sign_in_page_switch_is_kept_in_the_session(client):
    page = client.get("/login").get_data(as_text=True)
    assert _lang(page) == "en" and 'value="es" lang="es"' in page and ">Español</button>" in page
    response = client.post("/language", data={"language": "es", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    spanish = client.get("/login").get_data(as_text=True)
    assert _lang(spanish) == "es" and "<h1>Iniciar sesión</h1>" in spanish
    assert "¿Olvidaste tu contraseña?" in spanish
    english = client.post("/language", data={"language": "en"}, follow_redirects=True)
    assert _lang(client.get("/login").get_data(as_text=True)) == "en"
    assert english.status_code == 200


def test_the_switch_never_redirects_off_site(client):
    response = client.post("/language", data={"language": "es", "next": "//evil.example"})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_a_spanish_browser_gets_spanish_pages_and_errors_before_choosing(client):
    page = client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert _lang(html) == "es" and "Iniciar sesión" in html
    missing = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert missing.status_code == 404 and "Página no encontrada" in missing.get_data(as_text=True)


def test_validation_messages_follow_the_language(client):
    client.post("/language", data={"language": "es"})
    html = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Escribe tu correo electrónico." in html and "Hay un problema" in html
    wrong = client.post("/login", data={"email": "nobody@example.com", "password": "wrong one"})
    assert "no corresponden a ninguna cuenta" in wrong.get_data(as_text=True)


def test_the_switch_s_choice_lasts_through_signing_in_when_nothing_is_stored(app, client, world):
    client.post("/language", data={"language": "es", "next": "/login"})
    login(client, world.emails["partner_a"])
    html = client.get("/account/security", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "es"
    assert _locale(app, world.ids["partner_a"]) is None  # kept in the session, not stored
