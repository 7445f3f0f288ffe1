"""Photos on a partner's answer: attach, remove, list, and read one for a page or a PDF.

Attaching and removing happen only while the partner may still change the answer (the same
`blocked` rule as text); each upload is checked and re-encoded by `photo_images.clean_photo`
before anything is stored. A refused file becomes a message for its field; what else the
partner sent (their text, other files) is still saved.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.homework.photo_images import (
    MAX_PHOTOS,
    PhotoRefused,
    clean_photo,
    too_many,
)
from therapy_portal.homework.prompts import field_name
from therapy_portal.models import User, utcnow
from therapy_portal.models.homework import Response
from therapy_portal.models.photos import AnswerPhoto

PHOTO_TYPE = "photos"


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it: its name (for messages only) and its bytes."""

    filename: str
    data: bytes


@dataclass
class PhotoChanges:
    """Photos to add (by prompt key) and to take off (by public id) in one save."""

    uploads: Mapping[str, Sequence[Upload]] = field(default_factory=dict)
    remove: Sequence[str] = ()

    def __bool__(self) -> bool:
        return bool(self.remove) or any(self.uploads.values())


def photo_prompts(prompts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in prompts if p.get("type") == PHOTO_TYPE]


def attached(response_ids: Sequence[int]) -> dict[int, dict[str, list[AnswerPhoto]]]:
    """Photos still attached, by response id then prompt key, oldest first (no image bytes)."""
    found: dict[int, dict[str, list[AnswerPhoto]]] = {}
    if not response_ids:
        return found
    rows = db.session.scalars(
        select(AnswerPhoto)
        .where(AnswerPhoto.response_id.in_(response_ids), AnswerPhoto.removed_at.is_(None))
        .order_by(AnswerPhoto.id)
    )
    for photo in rows:
        found.setdefault(photo.response_id, {}).setdefault(photo.prompt_key, []).append(photo)
    return found


def photo_fields(prompts: Sequence[Mapping[str, Any]], response: Response | None) -> dict:
    """The photo prompts' fields as the answer form reads them: the attached photos' ids."""
    keys = [p["key"] for p in photo_prompts(prompts)]
    if not keys or response is None or response.id is None:
        return {}
    by_key = attached([response.id]).get(response.id, {})
    return {
        field_name({"key": key}): [p.public_id for p in by_key.get(key, [])]
        for key in keys
        if by_key.get(key)
    }


def _store(actor: User, response: Response, key: str, upload: Upload) -> AnswerPhoto:
    clean = clean_photo(upload.data, upload.filename)
    photo = AnswerPhoto(
        public_id=secrets.token_urlsafe(18),
        practice_id=response.practice_id,
        couple_id=response.couple_id,
        response_id=response.id,
        prompt_key=key,
        uploaded_by_id=actor.id,
        width=clean.width,
        height=clean.height,
        byte_size=len(clean.image),
        image=clean.image,
        thumbnail=clean.thumbnail,
    )
    db.session.add(photo)
    return photo


def _remove(actor: User, response: Response, public_ids: Sequence[str]) -> None:
    for photo in db.session.scalars(
        select(AnswerPhoto).where(
            AnswerPhoto.response_id == response.id,
            AnswerPhoto.public_id.in_(list(public_ids)),
            AnswerPhoto.removed_at.is_(None),
        )
    ):
        photo.removed_at = utcnow()
        audit.record(
            "homework.photo_remove",
            actor=actor,
            object_type="answer_photo",
            object_id=photo.id,
            couple_id=response.couple_id,
            response_id=response.id,
        )


def change_photos(
    actor: User,
    prompts: Sequence[Mapping[str, Any]],
    blocked: str | None,
    own_response: Callable[[], Response],
    changes: PhotoChanges,
) -> dict[str, list[str]]:
    """Remove, then attach, the partner's photos; messages for refused files by field name."""
    if not changes:
        return {}
    if blocked:
        raise InvalidState(blocked)
    response = own_response()
    db.session.flush()
    if changes.remove:
        _remove(actor, response, changes.remove)
        db.session.flush()
    current = attached([response.id]).get(response.id, {})
    errors: dict[str, list[str]] = {}
    for defn in photo_prompts(prompts):
        key, kept = defn["key"], len(current.get(defn["key"], []))
        for upload in changes.uploads.get(key, ()):
            problem = _attach_one(actor, response, key, upload, kept)
            if problem:
                errors.setdefault(field_name(defn), []).append(problem)
            else:
                kept += 1
    db.session.flush()
    return errors


def _attach_one(actor: User, response: Response, key: str, upload: Upload, kept: int) -> str:
    """Attach one upload ("" when done, else the message for its field)."""
    if kept >= MAX_PHOTOS:
        return too_many()
    try:
        photo = _store(actor, response, key, upload)
    except PhotoRefused as refused:
        return str(refused)
    db.session.flush()
    audit.record(
        "homework.photo_attach",
        actor=actor,
        object_type="answer_photo",
        object_id=photo.id,
        couple_id=response.couple_id,
        response_id=response.id,
    )
    return ""


def photo_bytes(actor: User, photo: AnswerPhoto, *, thumbnail: bool) -> bytes:
    """The image (or thumbnail) of a photo the policy let ``actor`` see; the view is audited."""
    audit.record(
        "homework.photo_view",
        actor=actor,
        object_type="answer_photo",
        object_id=photo.id,
        couple_id=photo.couple_id,
        response_id=photo.response_id,
        kind="thumbnail" if thumbnail else "image",
    )
    column = AnswerPhoto.thumbnail if thumbnail else AnswerPhoto.image
    return db.session.scalar(select(column).where(AnswerPhoto.id == photo.id))


def thumbnails(public_ids: Sequence[str]) -> dict[str, bytes]:
    """Thumbnails by public id, in one query (for a PDF the caller already authorized)."""
    if not public_ids:
        return {}
    rows = db.session.execute(
        select(AnswerPhoto.public_id, AnswerPhoto.thumbnail).where(
            AnswerPhoto.public_id.in_(list(public_ids))
        )
    )
    return {public_id: data for public_id, data in rows}


def with_photos(
    prompts: Sequence[Mapping[str, Any]], fields: dict[str, list[str]], response: Response | None
) -> dict[str, list[str]]:
    """Raw fields with each photo prompt's field set from the photos attached, never from what
    a browser sent (an autosave may post a file input's fake path)."""
    keys = {field_name(p) for p in photo_prompts(prompts)}
    if not keys:
        return fields
    kept = {name: values for name, values in fields.items() if name not in keys}
    return {**kept, **photo_fields(prompts, response)}
