"""Photos on answers, served only through the policy; a partner's own copy of their answer.

A photo is named by its random public id; `policy.photo_for_viewer_or_404` decides who sees it
(the prompt's visibility, exactly as for text) and the service audits every view.
"""

from __future__ import annotations

from flask import Response, flash, redirect, url_for
from flask_login import current_user

from therapy_portal import boundary, policy
from therapy_portal.errors import DomainError
from therapy_portal.homework import services
from therapy_portal.homework.answer_pdf import own_copy_pdf
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services import photos
from therapy_portal.models import Role

signed_in_people = policy.requires(Role.CLIENT, Role.THERAPIST)


def _file(data: bytes, mimetype: str, disposition: str) -> Response:
    """Bytes never cached, never sniffed, with no name of anyone in the filename."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _image(data: bytes) -> Response:
    return _file(data, "image/jpeg", 'inline; filename="photo.jpg"')


@bp.get("/photos/<photo_id>")
@signed_in_people
def photo(photo_id: str):
    found = policy.photo_for_viewer_or_404(current_user, photo_id)
    return _image(photos.photo_bytes(current_user, found, thumbnail=False))


@bp.get("/photos/<photo_id>/thumbnail")
@signed_in_people
def photo_thumbnail(photo_id: str):
    found = policy.photo_for_viewer_or_404(current_user, photo_id)
    return _image(photos.photo_bytes(current_user, found, thumbnail=True))


@bp.get("/<int:occurrence_id>/my-answer.pdf")
@policy.requires(Role.CLIENT)
def answer_copy(occurrence_id: int):
    seat = policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    view = services.open_for_partner(current_user, seat, audit_view=False)
    try:
        data = own_copy_pdf(current_user, view)
    except DomainError as error:
        boundary.refused(error)
        flash(error.message, "error")
        return redirect(url_for("homework.answer", occurrence_id=occurrence_id))
    return _file(data, "application/pdf", 'attachment; filename="my-answer.pdf"')
