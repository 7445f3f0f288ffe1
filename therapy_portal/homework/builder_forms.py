"""The template builder's forms: the template's own fields and one row per prompt.

A row carries the settings fields of every registered prompt type (`PromptType.builder_fields`)
and shows and reads only those of its own type, so a new prompt type needs no change here.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from therapy_portal.homework.library import FAMILIES
from therapy_portal.homework.prompt_types.base import choice
from therapy_portal.homework.prompts import PROMPT_TYPES, PromptType
from therapy_portal.homework.services.templates import TemplateInput
from therapy_portal.homework.wording import CADENCE_LABELS, MODE_LABELS, VISIBILITY_LABELS
from therapy_portal.i18n import lazy_gettext
from therapy_portal.models.vocabulary import DEFAULT_VISIBILITY, Cadence, Mode

#: The prompt types in the builder's "add" menu order.
MENU: list[PromptType] = sorted(PROMPT_TYPES.values(), key=lambda t: t.menu_order)
TYPE_LABELS = {t.name: t.label for t in MENU}
COMMON_ROW_KEYS = ("key", "type", "label", "help", "required", "visibility")


def choices_of(mapping: dict[str, str]) -> list[Any]:
    return [choice(value, label) for value, label in mapping.items()]


class _RowBase(Form):
    """What every prompt has; the type's own settings are added by `_row_form`."""

    key = HiddenField()
    type = HiddenField()
    label = StringField(
        lazy_gettext("Question"),
        validators=[Optional(), Length(max=300)],
        description=lazy_gettext("Up to 300 characters."),
    )
    help = TextAreaField(
        lazy_gettext("Help text (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=lazy_gettext("Up to 1,000 characters."),
    )
    required = BooleanField(lazy_gettext("An answer is required"), default=True)
    visibility = SelectField(
        lazy_gettext("Who sees the answer by default"),
        choices=choices_of(VISIBILITY_LABELS),
        default=DEFAULT_VISIBILITY,
    )

    @property
    def prompt_type(self) -> PromptType | None:
        return PROMPT_TYPES.get(self.type.data)

    def to_definition(self) -> tuple[dict[str, Any], list[str]]:
        """The prompt definition this row describes, and problems reading it."""
        defn: dict[str, Any] = {
            "key": self.key.data,
            "type": self.type.data,
            "label": (self.label.data or "").strip(),
            "required": bool(self.required.data),
            "visibility": self.visibility.data,
        }
        if (self.help.data or "").strip():
            defn["help"] = self.help.data.strip()
        problems: list[str] = []
        if self.prompt_type is not None:
            self.prompt_type.read_settings(self, defn, problems)
        return defn, problems


def _row_form() -> type[_RowBase]:
    fields: dict[str, Any] = {}
    for prompt_type in MENU:
        for name, field in prompt_type.builder_fields().items():
            fields.setdefault(name, field)
    return type("PromptRowForm", (_RowBase,), fields)


PromptRowForm = _row_form()


class TemplateForm(FlaskForm):
    title = StringField(
        lazy_gettext("Title"),
        validators=[DataRequired(lazy_gettext("Give the exercise a title.")), Length(max=200)],
        description=lazy_gettext("Up to 200 characters."),
    )
    family = SelectField(lazy_gettext("Family"), choices=choices_of(FAMILIES))
    summary = StringField(
        lazy_gettext("One-line summary (optional)"),
        validators=[Optional(), Length(max=160)],
        description=lazy_gettext("Up to 160 characters."),
    )
    instructions = TextAreaField(
        lazy_gettext("Instructions partners read"),
        validators=[
            DataRequired(lazy_gettext("Write the instructions partners will read.")),
            Length(max=5000),
        ],
        description=lazy_gettext("Up to 5,000 characters."),
    )
    default_mode = RadioField(
        lazy_gettext("How the couple answers"),
        choices=choices_of(MODE_LABELS),
        default=Mode.EACH_PARTNER,
    )
    default_cadence = RadioField(
        lazy_gettext("How often"), choices=choices_of(CADENCE_LABELS), default=Cadence.ONCE
    )
    suggested_duration_days = IntegerField(
        lazy_gettext("Suggested length in days"),
        default=7,
        validators=[Optional(), NumberRange(1, 90, lazy_gettext("Choose from 1 to 90 days."))],
    )
    rationale = TextAreaField(
        lazy_gettext("Why this helps (for therapists)"),
        validators=[Optional(), Length(max=5000)],
        description=lazy_gettext("Up to 5,000 characters."),
    )
    reference = TextAreaField(
        lazy_gettext("Reference (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=lazy_gettext("Up to 2,000 characters."),
    )
    therapist_looks_for = TextAreaField(
        lazy_gettext("What to look for (for therapists, optional)"),
        validators=[Optional(), Length(max=5000)],
        description=lazy_gettext("Up to 5,000 characters."),
    )
    caution = TextAreaField(
        lazy_gettext("Caution before assigning (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=lazy_gettext("Up to 2,000 characters."),
    )
    prompts = FieldList(FormField(PromptRowForm), min_entries=0, max_entries=50)
    add_type = SelectField(
        lazy_gettext("Type of prompt to add"), choices=choices_of(TYPE_LABELS), default=MENU[0].name
    )

    def to_input(self) -> TemplateInput:
        definitions, problems = [], []
        for position, row in enumerate(self.prompts, start=1):
            defn, row_problems = row.form.to_definition()
            definitions.append(defn)
            problems.extend(f"Prompt {position}: {p}" for p in row_problems)
        return TemplateInput(
            title=self.title.data or "",
            family=self.family.data,
            summary=self.summary.data or "",
            instructions=self.instructions.data or "",
            default_mode=self.default_mode.data,
            default_cadence=self.default_cadence.data,
            prompts=definitions,
            rationale=self.rationale.data or "",
            reference=self.reference.data or "",
            therapist_looks_for=self.therapist_looks_for.data or "",
            caution=self.caution.data or "",
            suggested_duration_days=self.suggested_duration_days.data or 7,
            problems=problems,
        )


def prompt_rows_from(prompts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored definitions turned into builder rows (``data=`` for the FieldList)."""
    return [
        {k: p.get(k) for k in COMMON_ROW_KEYS} | PROMPT_TYPES[p["type"]].settings_row(p)
        for p in prompts
    ]


def new_prompt_row(kind: str, existing_keys: set[str]) -> dict[str, Any]:
    """A fresh builder row of one type, with a key not used yet and sensible settings."""
    n = 1
    while f"q{n}" in existing_keys:
        n += 1
    prompt_type = PROMPT_TYPES.get(kind) or PROMPT_TYPES["long_text"]
    return {
        "key": f"q{n}",
        "type": prompt_type.name,
        "label": "",
        "required": True,
        "visibility": DEFAULT_VISIBILITY,
        **prompt_type.new_settings(),
    }
