"""Practice settings: the admin's page, the validated logo, the header, the PDFs' paper."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import login
from tests.notes.factories import make_note
from therapy_portal.admin import settings
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, Practice, User

VALID = {
    "name": "Riverside Couples Practice",
    "address": "12 Water Street\nPortland, ME",
    "phone": "+1 207 555 0100",
    "timezone": "Europe/Berlin",
    "paper_size": "a4",
    "crisis_text": "In an emergency call 911 or 988.",
    "remind_24h": "y",
}


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"NOTE_EXPORT_DIR": str(tmp_path / "exports")}


def _image(kind: str = "PNG", size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, kind)
    return out.getvalue()


def _practice(app, world) -> Practice:
    user = db.session.get(User, world.ids["admin"])
    return db.session.get(Practice, user.practice_id)


def test_the_admin_saves_every_setting_and_the_header_shows_the_name(app, world, client):
    login(client, world.emails["admin"])
    assert b"Practice settings" in client.get("/admin/settings").data
    response = client.post("/admin/settings", data=VALID)
    assert response.status_code == 302, response.data
    with app.app_context():
        practice = _practice(app, world)
        assert (practice.name, practice.timezone, practice.paper_size) == (
            "Riverside Couples Practice",
            "Europe/Berlin",
            "a4",
        )
        assert practice.crisis_text.startswith("In an emergency")
        assert practice.remind_24h and not practice.remind_2h
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "admin.practice_settings")
        )
        assert "timezone" in str(event.detail) and "911" not in str(event.detail)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'class="brand"' in page and "Riverside Couples Practice</span></a>" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Not a valid choice"),
        ({"name": ""}, "Enter the practice&#39;s name."),
        ({"paper_size": "legal"}, "Not a valid choice"),
        ({"crisis_text": "x" * 1001}, "1000"),
    ],
)
def test_bad_settings_get_a_message_and_keep_what_was_typed(world, client, changes, message):
    login(client, world.emails["admin"])
    response = client.post("/admin/settings", data={**VALID, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 422) and message in page
    assert "12 Water Street" in page  # nothing typed is lost


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an image at all", "Upload a PNG or JPEG image."),
        (_image("GIF"), "Upload a PNG or JPEG image."),
        (_image("PNG", (2001, 10)), "larger than 2000"),
        (b"\x89PNG" + b"0" * (settings.MAX_LOGO_BYTES + 1), "larger than 512 KB"),
    ],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(data, message):
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(")):
        settings.clean_logo(data)


def test_a_logo_is_re_encoded_without_metadata():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "JPEG", exif=b"Exif\x00\x00secret")
    data, media_type = settings.clean_logo(out.getvalue())
    assert media_type == "image/jpeg" and b"secret" not in data


def test_the_logo_is_shown_in_the_header_to_the_practices_people_only(app, world, client):
    login(client, world.emails["admin"])
    upload = {**VALID, "new_logo": (io.BytesIO(_image()), "logo.png")}
    response = client.post("/admin/settings", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302
    for who, home in (("therapist", "/today"), ("partner_a", "/home")):
        other = app.test_client()
        login(other, world.emails[who])
        logo = other.get("/practice/logo")
        assert logo.status_code == 200 and logo.mimetype == "image/png"
        assert logo.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(logo.data)).size == (40, 20)
        assert b'src="/practice/logo"' in other.get(home).data
    far = app.test_client()
    login(far, world.emails["far_therapist"])  # another practice, which has no logo
    assert far.get("/practice/logo").status_code == 404
    removed = client.post("/admin/settings", data={**VALID, "remove_logo": "y"})
    assert removed.status_code == 302 and client.get("/practice/logo").status_code == 404


def test_note_pdfs_use_the_practices_paper_size(app, world, client):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        letter = make_note(therapist, couple, signed=True).id
        a4 = make_note(therapist, couple, signed=True).id
        db.session.commit()
    login(client, world.emails["therapist"])
    sizes = {}
    for note_id, paper in ((letter, "letter"), (a4, "a4")):
        with app.app_context():
            _practice(app, world).paper_size = paper
            db.session.commit()
        pdf = PdfReader(io.BytesIO(client.get(f"/notes/{note_id}/pdf").data))
        box = pdf.pages[0].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"letter": (612, 792), "a4": (595, 842)}
