"""Forms for homework: assigning, answering, review and rescheduling (the template builder's
are in `builder_forms`).

Answer forms are generated from a version's prompt schema (`build_answer_form_class`); the
assign form gets one visibility choice per prompt of the chosen version.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from therapy_portal.errors import ValidationFailed
from therapy_portal.formtools import optional_id
from therapy_portal.homework.builder_forms import choices_of
from therapy_portal.homework.photo_images import MAX_BYTES
from therapy_portal.homework.prompt_types.photo import PhotoField, PhotoIds
from therapy_portal.homework.prompts import FIELD_PREFIX, build_answer_form_class
from therapy_portal.homework.services import QUALITY_LABELS, AnswerInput
from therapy_portal.homework.services.photos import PhotoChanges, Upload
from therapy_portal.homework.wording import CADENCE_LABELS, MODE_LABELS, VISIBILITY_LABELS
from therapy_portal.i18n import N_, gettext, lazy_gettext
from therapy_portal.models.vocabulary import Audience, Cadence

NOTE_LIMIT = 2000


class AssignBase(FlaskForm):
    mode = RadioField(lazy_gettext("How the couple answers"), choices=choices_of(MODE_LABELS))
    due_on = DateField(
        lazy_gettext("Due date"),
        validators=[DataRequired(lazy_gettext("Enter the due date (YYYY-MM-DD)."))],
        description=lazy_gettext("For daily or weekly homework, the first due date."),
    )
    cadence = RadioField(
        lazy_gettext("How often"), choices=choices_of(CADENCE_LABELS), default=Cadence.ONCE
    )
    ends_on = DateField(
        lazy_gettext("Runs until (daily or weekly only)"),
        validators=[Optional()],
        description=lazy_gettext(
            "Each day or week until this date is its own piece of homework, up to 60."
        ),
    )
    note = TextAreaField(
        lazy_gettext("Personal note to the couple (optional)"),
        validators=[Optional(), Length(max=NOTE_LIMIT)],
        description=f"Up to {NOTE_LIMIT:,} characters. Both partners see it.",
    )
    # The couple's current plan goals are set by the view (`measures.goal_links`); the service
    # refuses any other goal.
    goal_id = SelectField(
        lazy_gettext("Works toward goal (optional)"),
        coerce=optional_id,
        validate_choice=False,
        description=lazy_gettext("The plan's overview then counts this homework for the goal."),
    )


def assign_form_class(prompts: list[dict[str, Any]]) -> type[AssignBase]:
    """The assign form for one version: a visibility choice per prompt (`vis_<key>`)."""
    fields = {
        f"vis_{p['key']}": SelectField(
            f"Who sees the answer to \u201c{p['label']}\u201d",
            choices=choices_of(VISIBILITY_LABELS),
        )
        for p in prompts
    }
    return type("AssignForm", (AssignBase,), fields)


EXPIRED = N_(
    "This form had expired, so nothing was saved yet. "
    "Everything you typed is still below: save it again."
)


class AnswerBase(FlaskForm):
    """The answer form's own fields; `answer_form_class` adds one field per prompt."""

    version = HiddenField()
    idempotency_key = HiddenField()
    action = HiddenField()  # the pressed button's value ("submit" or "save") arrives here
    remove_photo = PhotoIds()  # the public ids of photos ticked "remove"

    def typed(self) -> dict[str, list[str]]:
        """Each prompt field's input exactly as typed (list items by their own names)."""
        fields: dict[str, list[str]] = {}
        for field in self:
            if field.name.startswith(FIELD_PREFIX):
                for part in getattr(field, "entries", None) or [field]:
                    fields[part.name] = list(part.raw_data or [])
        return fields

    def posted(self) -> AnswerInput:
        """What the partner pressed, as the service takes it (`ValidationFailed` when the form
        had expired: the page is shown again with the text kept)."""
        token = getattr(self, "csrf_token", None)
        if not self.is_submitted() or (token is not None and not token.validate(self)):
            raise ValidationFailed(gettext(EXPIRED))
        version = self.version.data or ""
        return AnswerInput(
            fields=self.typed(),
            version=int(version) if version.isdigit() else -1,
            idempotency_key=self.idempotency_key.data or "",
            submitting=self.action.data == "submit",
            photos=PhotoChanges(self._uploads(), tuple(self.remove_photo.data or ())),
        )

    def _uploads(self) -> dict[str, list[Upload]]:
        """The files chosen for each photo prompt, read up to one byte over the limit."""
        return {
            field.name.removeprefix(FIELD_PREFIX): [
                Upload(f.filename or "", f.stream.read(MAX_BYTES + 1)) for f in field.uploads
            ]
            for field in self
            if isinstance(field, PhotoField)
        }


def answer_form_class(prompts: list[dict[str, Any]]) -> type[FlaskForm]:
    return build_answer_form_class(prompts, base=AnswerBase)


class FeedbackForm(FlaskForm):
    prompt_key = SelectField(lazy_gettext("About"), default="")
    audience = RadioField(lazy_gettext("For"), default=Audience.BOTH)
    body = TextAreaField(
        lazy_gettext("Feedback"),
        validators=[DataRequired(lazy_gettext("Write the feedback first.")), Length(max=5000)],
        description=lazy_gettext("Up to 5,000 characters."),
    )


class ReturnForm(FlaskForm):
    note = TextAreaField(
        lazy_gettext("What would you like them to add?"),
        validators=[
            DataRequired(lazy_gettext("Say what you'd like the partner to add.")),
            Length(max=5000),
        ],
        description=lazy_gettext("Up to 5,000 characters. Only this partner sees it."),
    )


class DueDateForm(FlaskForm):
    due_on = DateField(
        lazy_gettext("New due date"),
        validators=[DataRequired(lazy_gettext("Enter a date (YYYY-MM-DD)."))],
    )


class ExtendForm(FlaskForm):
    ends_on = DateField(
        lazy_gettext("Run until"),
        validators=[DataRequired(lazy_gettext("Enter a date (YYYY-MM-DD)."))],
    )


def _quality_choices() -> list[SelectChoice]:
    return [SelectChoice("", gettext("Not rated"))] + [
        SelectChoice(value, label) for value, label in QUALITY_LABELS.items()
    ]


class QualityForm(FlaskForm):
    """How fully each expected answer was done; the page shows the fields the mode expects."""

    quality_A = SelectField(
        lazy_gettext("Partner A"), choices=_quality_choices, validate_choice=False
    )
    quality_B = SelectField(
        lazy_gettext("Partner B"), choices=_quality_choices, validate_choice=False
    )
    quality_J = SelectField(
        lazy_gettext("Joint answer"), choices=_quality_choices, validate_choice=False
    )

    def ratings(self) -> dict[str, str | None]:
        return {"A": self.quality_A.data, "B": self.quality_B.data, "J": self.quality_J.data}
