"""The ``photos`` prompt type: up to three photos attached to an answer (for reminiscing).

The photos themselves are `AnswerPhoto` rows, attached and removed by
`homework.services.photos`; the answer's value is the list of their opaque ``public_id``s, put
in by the service when the partner submits (a draft never holds photo ids typed by a browser).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import FileStorage
from wtforms.fields import Field
from wtforms.widgets import FileInput

from therapy_portal.homework.photo_images import MAX_PHOTOS, limits
from therapy_portal.homework.prompt_types.base import PromptType, describe, register
from therapy_portal.i18n import ngettext

PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,.jpg,.jpeg,.png"


class PhotoField(Field):
    """A multiple file input; its data are the ids of the photos already attached."""

    widget = FileInput(multiple=True)
    #: Files chosen in this post (the service checks and attaches them).
    uploads: tuple[FileStorage, ...] = ()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [v for v in valuelist if isinstance(v, str) and PUBLIC_ID.match(v)]
        self.uploads = tuple(v for v in valuelist if isinstance(v, FileStorage) and v.filename)

    def _value(self) -> str:
        return ""


@register
class PhotoPrompt(PromptType):
    """Photos from the partner's phone or computer, re-encoded without metadata."""

    name = "photos"
    label = "Photos"
    menu_order = 10
    fhir_type = "attachment"
    fhir_value = "valueAttachment"
    repeats = True

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        return PhotoField(
            defn["label"],
            validators=self.answer_validators(defn),
            description=describe(defn, limits()),
            render_kw={"accept": ACCEPT},
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(
            isinstance(v, str) and PUBLIC_ID.match(v) for v in raw
        ):
            raise ValueError("Expected attached photos.")
        if len(raw) > MAX_PHOTOS:
            raise ValueError(f"An answer can hold at most {MAX_PHOTOS} photos.")
        return list(raw)

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        return ngettext("%(num)d photo", "%(num)d photos", len(value))

    def to_fhir_answer(self, defn: Mapping[str, Any], value: Any) -> list[dict[str, Any]]:
        """Photos are referenced, not embedded: an exported answer names each photo by its
        opaque id (the receiving system asks for the image through the portal, if at all)."""
        if self.is_empty(value):
            return []
        return [
            {"valueAttachment": {"contentType": "image/jpeg", "url": f"urn:tp-photo:{pid}"}}
            for pid in value
        ]


class PhotoIds(Field):
    """Photo ids posted by checkboxes (e.g. "remove this photo"); anything else is dropped."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [v for v in valuelist if isinstance(v, str) and PUBLIC_ID.match(v)]
