"""Consents over HTTP with CSRF on: signing (a wrong name is a field error with the text kept),
withdrawing (asked first), the admin's versions, the therapist's PDF read back with pypdf, the
online-session refusal on the scheduling form, and what partner B never sees of A's signature."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import finish_login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.consents import ConsentSignature

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TELE = "/consents/telehealth"
A_NAME = "Partner A of Couple One"
TYPED = "  partner a OF couple one "  # A's own name, typed their own way


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"WTF_CSRF_ENABLED": True, "NOTE_PDF_FAIL_CLOSED": True}


def _login(app, world, who: str):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"email": world.emails[who], "password": "correct horse battery", "csrf_token": token},
    )
    finish_login(client, response, world.emails[who])
    return client


def _post(client, page: str, url: str, data: dict, token: bool = True):
    if token:
        data = {**data, "csrf_token": TOKEN.search(client.get(page).get_data(as_text=True))[1]}
    return client.post(url, data=data)


def _signatures() -> list[ConsentSignature]:
    return db.session.scalars(select(ConsentSignature)).all()


def test_a_partner_signs_after_a_wrong_name_and_without_a_token_lose_nothing(app, world):
    a = _login(app, world, "partner_a")
    wrong = _post(a, TELE, f"{TELE}/sign", {"typed_name": "Partner B of Couple One"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert f"Type your own name exactly as the practice has it: {A_NAME}." in page
    assert 'value="Partner B of Couple One"' in page and 'aria-invalid="true"' in page
    expired = _post(a, TELE, f"{TELE}/sign", {"typed_name": TYPED}, token=False)
    assert expired.status_code == 400 and "This form had expired" in expired.get_data(as_text=True)
    with app.app_context():
        assert _signatures() == []
    signed = _post(a, TELE, f"{TELE}/sign", {"typed_name": TYPED})
    assert signed.status_code == 302 and signed.location.endswith(TELE)
    page = a.get(TELE).get_data(as_text=True)
    assert "Signed. Thank you" in page and "You signed this version on" in page
    with app.app_context():
        (signature,) = _signatures()
        assert signature.typed_name == TYPED.strip() and signature.version.number == 1
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "consent.sign" in actions and "consent.view" in actions


def test_partner_b_sees_that_a_signed_never_what_a_typed(app, world):
    a = _login(app, world, "partner_a")
    _post(a, TELE, f"{TELE}/sign", {"typed_name": A_NAME.upper()})
    b = _login(app, world, "partner_b")
    index = b.get("/consents").get_data(as_text=True)
    assert "Your partner" in index and "Signed" in index
    for url in ("/consents", TELE, "/home", "/consents/records_release"):
        assert A_NAME.upper() not in b.get(url).get_data(as_text=True), url
    with app.app_context():
        (signature,) = _signatures()
        sid = signature.id
    assert b.get(f"/consents/signed/{sid}/pdf").status_code == 404
    assert a.get(f"/consents/signed/{sid}/pdf").status_code == 200


def test_withdrawing_asks_first_then_takes_effect(app, world):
    a = _login(app, world, "partner_a")
    _post(a, TELE, f"{TELE}/sign", {"typed_name": A_NAME})
    asked = _post(a, TELE, f"{TELE}/withdraw", {})
    assert asked.status_code == 200 and "Withdraw this consent?" in asked.get_data(as_text=True)
    with app.app_context():
        assert _signatures()[0].withdrawn_at is None
    done = _post(a, TELE, f"{TELE}/withdraw", {"confirmed": "yes"})
    assert done.status_code == 302
    assert "Withdrawn" in a.get(TELE).get_data(as_text=True)
    with app.app_context():
        assert _signatures()[0].withdrawn_at is not None


def test_the_therapist_downloads_the_signed_consent_as_a_pdf(app, world):
    a = _login(app, world, "partner_a")
    _post(a, TELE, f"{TELE}/sign", {"typed_name": A_NAME})
    with app.app_context():
        sid = _signatures()[0].id
    therapist = _login(app, world, "therapist")
    overview = therapist.get(f"/couples/{world.couple_ids['c1']}").get_data(as_text=True)
    assert "Online sessions and messaging" in overview and "Not signed yet" in overview
    response = therapist.get(f"/couples/{world.couple_ids['c1']}/consents/{sid}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Partner" not in response.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Online sessions and messaging" in text and A_NAME in text
    assert "Version signed" in text and "Not for emergencies" in text
    other = _login(app, world, "other_therapist")
    assert other.get(f"/couples/{world.couple_ids['c1']}/consents/{sid}/pdf").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.pdf"))


def test_the_admin_publishes_a_material_version_and_partners_sign_again(app, world):
    a = _login(app, world, "partner_a")
    _post(a, TELE, f"{TELE}/sign", {"typed_name": A_NAME})
    admin = _login(app, world, "admin")
    edit = "/admin/consents/telehealth"
    empty = _post(admin, edit, edit, {"title": "Video sessions", "body": " "})
    assert empty.status_code == 422
    page = empty.get_data(as_text=True)
    assert (
        "Write the text partners will read and sign." in page and 'value="Video sessions"' in page
    )
    done = _post(admin, edit, edit, {"title": "Video sessions", "body": "New.", "material": "y"})
    assert done.status_code == 302
    history = admin.get(edit).get_data(as_text=True)
    assert "Material: partners sign again" in history and "<td>2</td>" in history
    assert "New version to sign" in a.get("/consents").get_data(as_text=True)
    assert "Video sessions" in a.get(TELE).get_data(as_text=True)


def test_an_online_session_is_refused_on_the_form_with_what_was_typed_kept(app, world):
    therapist = _login(app, world, "therapist")
    url = f"/couples/{world.couple_ids['c1']}/sessions/new"
    page = therapist.get(url)
    assert page.status_code == 200
    form = {
        "starts_on": "2030-01-07",
        "start_time": "10:00",
        "duration_minutes": "50",
        "modality": "online",
        "meeting_link": "https://video.example.org/kept-link",
        "service_code": "90847",
        "attendees": "both",
        "repeat": "none",
    }
    refused = _post(therapist, url, url, form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "An online session needs the signed consent" in text
    assert "https://video.example.org/kept-link" in text


def test_consent_pages_cost_the_same_with_a_long_history(app, world, count_queries):
    a = _login(app, world, "partner_a")
    admin = _login(app, world, "admin")
    a.get(TELE)
    admin.get("/admin/consents")
    urls = {a: ["/consents", TELE, "/home"], admin: ["/admin/consents"]}
    before = _costs(urls, count_queries)
    for _ in range(5):
        _post(a, TELE, f"{TELE}/sign", {"typed_name": A_NAME})
        _post(a, TELE, f"{TELE}/withdraw", {"confirmed": "yes"})
    after = _costs(urls, count_queries)
    assert before == after, (before, after)
    assert max(before.values()) <= 20, before


def _costs(urls, count_queries) -> dict[str, int]:
    costs = {}
    for client, pages in urls.items():
        for url in pages:
            client.get(url)  # shows any message left from the last POST (a session write)
            with count_queries() as q:
                assert client.get(url).status_code == 200
            costs[url] = q.count
    return costs
