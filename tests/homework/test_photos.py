"""Photos on answers, as services: attach, refuse, remove, submit, and who may see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.homework import photo_samples
from tests.homework.factories import assign, first_occurrence, key, make_version, seat
from therapy_portal import policy
from therapy_portal.errors import InvalidState, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.photos import PhotoChanges, Upload, attached
from therapy_portal.models import AuditEvent
from therapy_portal.models.homework import Response
from therapy_portal.models.photos import AnswerPhoto

PROMPTS = [
    {"key": "pics", "type": "photos", "label": "Photos", "visibility": "shared_after_both"},
    {"key": "secret", "type": "photos", "label": "For the therapist",
     "visibility": "therapist_only", "required": False},
    {"key": "story", "type": "long_text", "label": "The story", "visibility": "shared_after_both"},
]  # fmt: skip


@pytest.fixture
def occ(hw):
    version = make_version(hw.therapist, prompts=PROMPTS)
    return first_occurrence(assign(hw.therapist, hw.couple, version))


def _answer(user, occ, version=0, submitting=False, text="A day at the sea", **uploads):
    changes = PhotoChanges(
        {k: [Upload(f"{k}.img", data) for data in v] for k, v in uploads.items() if k != "remove"},
        uploads.get("remove", ()),
    )
    posted = services.AnswerInput({"p_story": [text]}, version, key(), submitting, changes)
    return services.answer(user, seat(user, occ), posted)


def _photos(occ, label="A") -> dict[str, list[AnswerPhoto]]:
    response = db.session.scalar(
        select(Response).where(Response.occurrence_id == occ.id, Response.author_label == label)
    )
    return attached([response.id]).get(response.id, {})


def test_jpeg_png_and_heic_are_attached_to_the_draft_with_the_text(hw, occ):
    done = _answer(
        hw.a, occ, pics=[photo_samples.jpeg_with_gps(), photo_samples.png(), photo_samples.heic()]
    )
    assert done.done and done.photo_errors == {}
    photos = _photos(occ)["pics"]
    assert len(photos) == 3 and len({p.public_id for p in photos}) == 3
    assert done.result.response.draft["p_story"] == ["A day at the sea"]
    assert done.result.response.draft["p_pics"] == [p.public_id for p in photos]
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("homework.photo_attach") == 3


def test_a_fourth_photo_is_refused_and_the_text_is_still_saved(hw, occ):
    _answer(hw.a, occ, pics=[photo_samples.png()] * 3)
    again = _answer(hw.a, occ, version=1, text="Kept", pics=[photo_samples.png()])
    assert not again.done
    assert again.photo_errors == {
        "p_pics": ["An answer can hold at most 3 photos: remove one first."]
    }
    assert again.result.response.draft["p_story"] == ["Kept"]
    assert len(_photos(occ)["pics"]) == 3


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"just some text", "is not a JPEG, PNG or HEIC photo"),
        (b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024 + 1), "is larger than 10 MB"),
        (photo_samples.png_header_claiming(50_000, 50_000), "has more than 40 megapixels"),
    ],
    ids=["text-file", "oversize", "bomb"],
)
def test_a_bad_file_is_refused_next_to_its_field_and_nothing_else_is_lost(hw, occ, data, words):
    done = _answer(hw.a, occ, submitting=True, pics=[data, photo_samples.png()])
    assert not done.done and not done.submitting  # saved as a draft, not submitted
    [message] = done.photo_errors["p_pics"]
    assert words in message and "pics.img" in message
    assert done.result.response.draft["p_story"] == ["A day at the sea"]
    assert len(_photos(occ)["pics"]) == 1  # the good photo of the same post is kept
    assert done.result.response.status == "draft"


def test_a_photo_can_be_removed_before_submit_but_not_after(hw, occ):
    _answer(hw.a, occ, pics=[photo_samples.png(), photo_samples.png()])
    first = _photos(occ)["pics"][0].public_id
    _answer(hw.a, occ, version=1, remove=[first])
    assert [p.public_id for p in _photos(occ)["pics"]] != [] and first not in {
        p.public_id for p in _photos(occ)["pics"]
    }
    submitted = _answer(hw.a, occ, version=2, submitting=True)
    assert submitted.done and submitted.submitting
    kept = _photos(occ)["pics"][0].public_id
    assert submitted.result.response.answers["pics"] == [kept]
    with pytest.raises(InvalidState):
        _answer(hw.a, occ, version=3, remove=[kept])


def test_a_required_photo_prompt_without_a_photo_is_not_submitted(hw, occ):
    done = _answer(hw.a, occ, submitting=True)
    assert not done.done and "p_pics" in done.result.errors


def test_photo_ids_typed_into_a_draft_are_ignored(hw, occ):
    saved = services.save_draft(
        hw.a, seat(hw.a, occ), {"p_pics": ["AAAAAAAAAAAAAAAAAAAAAAAA"], "p_story": ["x"]}, 0
    )
    assert "p_pics" not in saved.response.draft


def _visible(user, photo):
    try:
        policy.photo_for_viewer_or_404(user, photo.public_id)
    except NotAllowed:
        return False
    return True


def test_the_prompt_visibility_applies_to_photos_exactly_as_to_text(hw, occ):
    _answer(hw.a, occ, pics=[photo_samples.png()], secret=[photo_samples.png()])
    shared, private = _photos(occ)["pics"][0], _photos(occ)["secret"][0]
    # A draft: its author only.
    assert [_visible(u, shared) for u in (hw.a, hw.b, hw.therapist)] == [True, False, False]
    _answer(hw.a, occ, version=1, submitting=True)
    # Submitted: the therapist sees both; B neither until B has submitted too.
    assert [_visible(hw.therapist, p) for p in (shared, private)] == [True, True]
    assert [_visible(hw.b, p) for p in (shared, private)] == [False, False]
    _answer(hw.b, occ, pics=[photo_samples.png()], submitting=True)
    assert [_visible(hw.b, p) for p in (shared, private)] == [True, False]  # private stays private
    for outsider in (hw.other_partner, hw.other_therapist):
        assert not _visible(outsider, shared)


def test_viewing_a_photo_is_audited(hw, occ):
    _answer(hw.a, occ, pics=[photo_samples.png()], submitting=True)
    photo = _photos(occ)["pics"][0]
    data = services.photos.photo_bytes(hw.therapist, photo, thumbnail=True)
    assert data.startswith(b"\xff\xd8")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "homework.photo_view")
    ).one()
    assert event.object_id == photo.id and event.detail["kind"] == "thumbnail"
