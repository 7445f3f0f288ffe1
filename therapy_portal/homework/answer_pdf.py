"""A partner's own copy of their submitted answer as a PDF, photos as thumbnails.

The thumbnails go to the renderer as generated in-memory assets (``app-asset:photo-<n>.jpg``):
the PDF fetcher stays deny-all for every other URL. Only the partner's own response is used,
so nothing of the other partner's answer can be in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template

from therapy_portal import audit
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.homework.prompts import prompt_type_for
from therapy_portal.homework.services import photos
from therapy_portal.homework.services.responses import PartnerView
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import User
from therapy_portal.pdf import PdfRenderError, render_pdf

NOT_YET = N_("Your copy can be downloaded once you have submitted this answer.")


@dataclass(frozen=True)
class ShownAnswer:
    label: str
    text: str
    images: list[str]


def _shown(view: PartnerView, answers: dict[str, Any]) -> tuple[list[ShownAnswer], dict]:
    assets: dict[str, bytes] = {}
    ids = [pid for p in photos.photo_prompts(view.prompts) for pid in answers.get(p["key"]) or []]
    thumbs = photos.thumbnails(ids)
    shown = []
    for defn in view.prompts:
        value = answers.get(defn["key"])
        names = []
        if defn.get("type") == photos.PHOTO_TYPE:
            for pid in value or []:
                if pid in thumbs:
                    names.append(f"photo-{len(assets) + 1}.jpg")
                    assets[names[-1]] = thumbs[pid]
        shown.append(ShownAnswer(defn["label"], prompt_type_for(defn).display(defn, value), names))
    return shown, assets


def own_copy_pdf(actor: User, view: PartnerView) -> bytes:
    """The partner's submitted answer as a PDF (audited as an export of their own record)."""
    own = view.own
    if own is None or own.answers is None or not own.ever_submitted:
        raise InvalidState(gettext(NOT_YET))
    shown, assets = _shown(view, own.answers)
    html = render_template(
        "pdf/answer_copy.html",
        title=view.assignment.version.title,
        answers=shown,
        practice=actor.practice,
        confidential="Confidential: your own answer, for you.",
    )
    audit.record(
        "homework.answer_copy_export",
        actor=actor,
        object_type="response",
        object_id=own.id,
        couple_id=own.couple_id,
        format="pdf",
        count=len(assets),
    )
    cfg = current_app.config
    try:
        return render_pdf(
            html,
            title="My answer",
            assets=assets,
            timeout_s=cfg.get("NOTE_PDF_TIMEOUT_S", 30),
            fail_closed=cfg.get("NOTE_PDF_FAIL_CLOSED", False),
        )
    except PdfRenderError as exc:
        raise ValidationFailed(f"The PDF could not be made: {exc}. Please try again.") from exc
