"""Photos over HTTP: a multipart answer, the page after a refused file, serving through the
policy, the therapist's review page, the partner's own PDF copy, and query budgets."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from tests.homework import photo_samples
from tests.homework.helpers import new_occurrence, page_text
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.photos import AnswerPhoto

PROMPTS = [
    {"key": "pics", "type": "photos", "label": "Photos of a good day",
     "visibility": "shared_after_both"},
    {"key": "secret", "type": "photos", "label": "A photo for my therapist",
     "visibility": "therapist_only", "required": False},
    {"key": "story", "type": "long_text", "label": "The story", "visibility": "shared_after_both"},
]  # fmt: skip


def _field(page: bytes, name: str) -> str:
    return re.search(rb'name="' + name.encode() + rb'"[^>]*value="([^"]*)"', page).group(1).decode()


def _post(client, occurrence_id, action="save", story="Our trip", **files):
    page = client.get(f"/homework/{occurrence_id}").data
    data = {
        "p_story": story,
        "version": _field(page, "version"),
        "idempotency_key": _field(page, "idempotency_key"),
        "action": action,
    }
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for filename, content in items]
    return client.post(f"/homework/{occurrence_id}", data=data, content_type="multipart/form-data")


def _photo_ids(app, key="pics") -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AnswerPhoto.public_id)
                .where(AnswerPhoto.prompt_key == key, AnswerPhoto.removed_at.is_(None))
                .order_by(AnswerPhoto.id)
            )
        )


def test_the_answer_form_is_multipart_and_states_the_limits(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    html = page_text(as_user(site.a).get(f"/homework/{occurrence_id}"))
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and "multiple" in html and "image/heic" in html
    assert "at most 10 MB and 40 megapixels" in html and "Location and camera details" in html


def test_a_photo_is_attached_survives_a_reload_and_can_be_removed(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    response = _post(client, occurrence_id, p_pics=[("beach.heic", photo_samples.heic())])
    assert response.status_code == 302
    [photo_id] = _photo_ids(app)
    html = page_text(client.get(f"/homework/{occurrence_id}"))
    assert f"/homework/photos/{photo_id}/thumbnail" in html and "Our trip" in html
    assert "beach.heic" not in html  # the file's name is never kept
    thumb = client.get(f"/homework/photos/{photo_id}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.headers["Cache-Control"] == "no-store"
    page = client.get(f"/homework/{occurrence_id}").data
    removed = client.post(
        f"/homework/{occurrence_id}",
        data={
            "p_story": "Our trip",
            "remove_photo": photo_id,
            "version": _field(page, "version"),
            "idempotency_key": _field(page, "idempotency_key"),
            "action": "save",
        },
    )
    assert removed.status_code == 302 and _photo_ids(app) == []
    assert client.get(f"/homework/photos/{photo_id}/thumbnail").status_code == 404


def test_a_text_file_is_refused_next_to_the_field_and_the_text_is_kept(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    response = _post(
        client,
        occurrence_id,
        action="submit",
        story="Words I typed",
        p_pics=[("notes.txt", b"not a picture"), ("ok.png", photo_samples.png())],
    )
    html = page_text(response)
    assert response.status_code == 422
    assert "“notes.txt” is not a JPEG, PNG or HEIC photo." in html
    assert 'id="p_pics-error"' in html and "Words I typed" in html
    assert len(_photo_ids(app)) == 1  # the good photo was attached


def test_an_oversize_photo_is_a_field_error_not_a_server_error(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    big = b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024 + 10)
    response = _post(as_user(site.a), occurrence_id, p_pics=[("big.jpg", big)])
    assert response.status_code == 422
    assert "“big.jpg” is larger than 10 MB." in page_text(response)


def test_a_decompression_bomb_is_a_field_error_and_the_text_is_kept(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    bomb = photo_samples.png_header_claiming(50_000, 50_000)
    response = _post(
        as_user(site.a), occurrence_id, story="Kept words", p_pics=[("huge.png", bomb)]
    )
    html = page_text(response)
    assert response.status_code == 422
    assert "“huge.png” has more than 40 megapixels" in html
    assert 'id="p_pics-error"' in html and "Kept words" in html
    assert _photo_ids(app) == []


def test_serving_follows_the_prompt_visibility(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    _post(
        client,
        occurrence_id,
        p_pics=[("a.png", photo_samples.png())],
        p_secret=[("b.png", photo_samples.png())],
    )
    assert _post(client, occurrence_id, action="submit").status_code == 302
    shared, private = _photo_ids(app)[0], _photo_ids(app, "secret")[0]
    partner_b = as_user(site.b)
    for pid in (shared, private):  # B has not submitted: shared_after_both still hidden
        assert partner_b.get(f"/homework/photos/{pid}").status_code == 404
    _post(partner_b, occurrence_id, action="submit", p_pics=[("c.png", photo_samples.png())])
    assert partner_b.get(f"/homework/photos/{shared}").status_code == 200
    assert partner_b.get(f"/homework/photos/{private}").status_code == 404
    assert f"/homework/photos/{shared}/thumbnail" in page_text(
        partner_b.get(f"/homework/{occurrence_id}")
    )
    as_user(site.other_partner)
    assert partner_b.get(f"/homework/photos/{shared}").status_code == 404
    therapist = as_user(site.therapist)
    assert therapist.get(f"/homework/photos/{private}").status_code == 200
    with app.app_context():
        views = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "homework.photo_view")
        ).all()
        denied = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "answer_photo", AuditEvent.outcome == "denied"
            )
        ).all()
    assert len(views) == 2 and len(denied) >= 3


def test_the_review_page_shows_thumbnails_within_its_query_budget(
    app, site, as_user, count_queries
):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    _post(client, occurrence_id, p_pics=[("a.png", photo_samples.png())])
    _post(client, occurrence_id, action="submit")
    therapist = as_user(site.therapist)
    with count_queries() as one:
        page = therapist.get(f"/homework/occurrences/{occurrence_id}/review")
    assert page.status_code == 200
    [pid] = _photo_ids(app)
    assert f"/homework/photos/{pid}/thumbnail" in page_text(page)
    assert one.count <= 20, one.statements


def test_the_answer_page_costs_the_same_with_one_or_three_photos(app, site, as_user, count_queries):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    _post(client, occurrence_id, p_pics=[("a.png", photo_samples.png())])
    with count_queries() as one:
        client.get(f"/homework/{occurrence_id}")
    _post(client, occurrence_id, p_pics=[("a.png", photo_samples.png())] * 2)
    with count_queries() as three:
        page = client.get(f"/homework/{occurrence_id}")
    assert page_text(page).count("/thumbnail") == 3
    assert three.count == one.count <= 20, three.statements


def test_the_partner_s_own_pdf_copy_holds_the_photo_thumbnails(app, site, as_user):
    occurrence_id = new_occurrence(app, site, prompts=PROMPTS)
    client = as_user(site.a)
    _post(client, occurrence_id, p_pics=[("a.png", photo_samples.png())] * 2)
    early = client.get(f"/homework/{occurrence_id}/my-answer.pdf")
    assert early.status_code == 302  # not submitted yet: back to the page with a message
    _post(client, occurrence_id, action="submit")
    response = client.get(f"/homework/{occurrence_id}/my-answer.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2
    assert "Our trip" in "".join(page.extract_text() for page in reader.pages)
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "homework.answer_copy_export")
        )
