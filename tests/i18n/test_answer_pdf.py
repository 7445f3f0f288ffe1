"""A partner's PDF copies in their language: the homework answer copy and the signed consent
(labels and dates), read back with pypdf."""

from __future__ import annotations

import io
import re

from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import login
from tests.homework.conftest import as_user, site  # noqa: F401 - the homework HTTP fixtures
from tests.homework.helpers import new_occurrence
from therapy_portal.extensions import db
from therapy_portal.models import User
from therapy_portal.models.consents import ConsentSignature

PROMPTS = [
    {"key": "story", "type": "long_text", "label": "The story", "visibility": "shared_after_both"},
]


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _speaks(app, user_id: int, code: str) -> None:
    with app.app_context():
        db.session.get(User, user_id).locale = code
        db.session.commit()


def _field(page: bytes, name: str) -> str:
    return re.search(rb'name="' + name.encode() + rb'"[^>]*value="([^"]*)"', page).group(1).decode()


def test_a_spanish_partner_s_answer_copy_is_in_spanish(app, site, as_user):  # noqa: F811
    _speaks(app, site.ids["a"], "es")
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    page = client.get(f"/homework/{occurrence_id}").data
    client.post(
        f"/homework/{occurrence_id}",
        data={
            "p_story": "Nuestro viaje a la costa",
            "version": _field(page, "version"),
            "idempotency_key": _field(page, "idempotency_key"),
            "action": "submit",
        },
    )
    response = client.get(f"/homework/{occurrence_id}/my-answer.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "Mi respuesta:" in text and "My answer" not in text
    assert "Confidencial: tu propia respuesta, solo para ti." in text
    assert "Nuestro viaje a la costa" in text


def test_a_spanish_partner_s_consent_copy_has_spanish_labels_and_dates(app, world):
    _speaks(app, world.ids["partner_a"], "es")
    client = app.test_client()
    login(client, world.emails["partner_a"])
    client.post("/consents/telehealth/sign", data={"typed_name": "Partner A of Couple One"})
    with app.app_context():
        (signature,) = db.session.scalars(select(ConsentSignature)).all()
        signed_on = signature.signed_on
    response = client.get(f"/consents/signed/{signature.id}/pdf")
    assert response.status_code == 200
    text = _text(response.data)
    assert "Firma" in text and "Firmante" in text and "Versión firmada" in text
    assert "Signed by" not in text and "Version signed" not in text
    assert format_date(signed_on, "d MMM y", locale="es") in text  # e.g. "1 dic 2026"
