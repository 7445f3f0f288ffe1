"""Who may see a photo attached to a homework answer: exactly who may read that answer.

| viewer                         | sees the photo when                                          |
|--------------------------------|--------------------------------------------------------------|
| its author (or either partner, | while it is attached, draft or submitted                     |
| for a joint answer)            |                                                              |
| the other partner              | the prompt's visibility lets them read the answer now, and   |
|                                | the photo is in the submitted answer (`answer_visible`)       |
| the couple's therapist         | the photo is in the submitted answer                          |
| anyone else                    | never (404, audited)                                          |

A removed photo is shown to no one. The photo is named in URLs only by its random public id.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleMember, CoupleTherapist, Role, User
from therapy_portal.models.homework import Occurrence, Response
from therapy_portal.models.photos import AnswerPhoto
from therapy_portal.models.vocabulary import Slot
from therapy_portal.policy.homework_rules import answer_visible, visibility_of


def _viewer_label(user: User, couple_id: int) -> Slot | None:
    return _label_of(
        db.session.scalar(
            select(CoupleMember.label).where(
                CoupleMember.couple_id == couple_id, CoupleMember.user_id == user.id
            )
        )
    )


def _label_of(value: str | None) -> Slot | None:
    return Slot(value) if value else None


def _treats(user: User, couple_id: int) -> bool:
    return (
        db.session.scalar(
            select(CoupleTherapist.therapist_id).where(
                CoupleTherapist.couple_id == couple_id, CoupleTherapist.therapist_id == user.id
            )
        )
        is not None
    )


def _in_answer(photo: AnswerPhoto, response: Response) -> bool:
    return photo.public_id in ((response.answers or {}).get(photo.prompt_key) or [])


def _other_may_see(user: User, label: Slot, photo: AnswerPhoto, response: Response) -> bool:
    occurrence = response.occurrence
    own = db.session.scalar(
        select(Response).where(
            Response.occurrence_id == occurrence.id, Response.author_label == label
        )
    )
    visibility = visibility_of(occurrence.assignment, photo.prompt_key)
    return _in_answer(photo, response) and answer_visible(
        user, label, occurrence.assignment.mode, visibility, response, own
    )


def photo_visible(user: User, photo: AnswerPhoto, response: Response) -> bool:
    """The table above, for one photo and the response it belongs to."""
    if photo.removed_at is not None or photo.practice_id != user.practice_id:
        return False
    if user.role == Role.THERAPIST:
        return _treats(user, photo.couple_id) and _in_answer(photo, response)
    if user.role != Role.CLIENT:
        return False
    label = _viewer_label(user, photo.couple_id)
    if label is None:
        return False
    if response.author_label in (Slot.JOINT, label):
        return True
    return _other_may_see(user, label, photo, response)


def photo_for_viewer_or_404(user: User, public_id: str) -> AnswerPhoto:
    """The photo, if `photo_visible`; otherwise 404 (and the denial audited)."""
    row = db.session.execute(
        select(AnswerPhoto, Response)
        .join(Response, Response.id == AnswerPhoto.response_id)
        .where(AnswerPhoto.public_id == public_id)
        .options(joinedload(Response.occurrence).joinedload(Occurrence.assignment))
    ).first()
    if row is None or not photo_visible(user, row[0], row[1]):
        audit.record_denied(
            "homework.access",
            actor=user,
            object_type="answer_photo",
            object_id=row[0].id if row else None,
        )
        raise NotAllowed("not found")
    audit.reading_couple(row[0].couple_id)
    return row[0]
