"""Forms for homework: the template builder, assigning, answering, review and rescheduling.

Answer forms are generated from a version's prompt schema (`build_answer_form_class`); the
assign form gets one visibility choice per prompt of the chosen version.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from therapy_portal.homework.library import FAMILIES
from therapy_portal.homework.prompts import (
    CADENCE_LABELS,
    MODE_LABELS,
    PROMPT_TYPES,
    VISIBILITY_LABELS,
    build_answer_form_class,
)
from therapy_portal.homework.services.templates import TemplateInput

TYPE_LABELS = {
    "long_text": "Long text",
    "short_text": "Short text",
    "scale": "Scale (0-10 or 1-5)",
    "single_choice": "Single choice",
    "checklist": "Checklist (several choices)",
    "yes_no": "Yes or no",
    "date": "Date",
    "number": "Number",
    "list": "A list of short items",
}
NOTE_LIMIT = 2000


def _choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class PromptRowForm(Form):
    """One prompt in the builder. Only the settings of its type are shown and read."""

    key = HiddenField()
    type = HiddenField()
    label = StringField(
        "Question", validators=[Optional(), Length(max=300)], description="Up to 300 characters."
    )
    help = TextAreaField(
        "Help text (optional)",
        validators=[Optional(), Length(max=1000)],
        description="Up to 1,000 characters.",
    )
    required = BooleanField("An answer is required", default=True)
    visibility = SelectField(
        "Who sees the answer by default",
        choices=_choices(VISIBILITY_LABELS),
        default="therapist_only",
    )
    max_length = IntegerField("Most characters allowed", validators=[Optional()])
    items = IntegerField("How many items", validators=[Optional()])
    scale_min = SelectField(
        "Lowest value", choices=[SelectChoice("0", "0"), SelectChoice("1", "1")], default="0"
    )
    scale_max = SelectField(
        "Highest value", choices=[SelectChoice("10", "10"), SelectChoice("5", "5")], default="10"
    )
    min_label = StringField("Words for the lowest value", validators=[Optional(), Length(max=60)])
    max_label = StringField("Words for the highest value", validators=[Optional(), Length(max=60)])
    options = TextAreaField("Options, one per line", validators=[Optional()])
    number_min = StringField("Smallest number (optional)", validators=[Optional()])
    number_max = StringField("Largest number (optional)", validators=[Optional()])
    unit = StringField("Unit (optional, e.g. minutes)", validators=[Optional(), Length(max=30)])

    def to_definition(self) -> tuple[dict[str, Any], list[str]]:
        """The prompt definition this row describes, and problems reading it."""
        kind = self.type.data
        defn: dict[str, Any] = {
            "key": self.key.data,
            "type": kind,
            "label": (self.label.data or "").strip(),
            "required": bool(self.required.data),
            "visibility": self.visibility.data,
        }
        if (self.help.data or "").strip():
            defn["help"] = self.help.data.strip()
        problems: list[str] = []
        if kind in ("long_text", "short_text", "list") and self.max_length.data:
            defn["max_length"] = self.max_length.data
        if kind == "list" and self.items.data:
            defn["items"] = self.items.data
        if kind == "scale":
            defn.update(
                min=int(self.scale_min.data or 0),
                max=int(self.scale_max.data or 10),
                min_label=(self.min_label.data or "").strip(),
                max_label=(self.max_label.data or "").strip(),
            )
        if kind in ("single_choice", "checklist"):
            defn["options"] = [
                line.strip() for line in (self.options.data or "").splitlines() if line.strip()
            ]
        if kind == "number":
            for end, field in (("min", self.number_min), ("max", self.number_max)):
                text = (field.data or "").strip()
                if text:
                    try:
                        number = float(text)
                        defn[end] = int(number) if number.is_integer() else number
                    except ValueError:
                        problems.append(f"{field.label.text} must be a number.")
            if (self.unit.data or "").strip():
                defn["unit"] = self.unit.data.strip()
        return defn, problems


class TemplateForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the exercise a title."), Length(max=200)],
        description="Up to 200 characters.",
    )
    family = SelectField("Family", choices=_choices(FAMILIES))
    summary = StringField(
        "One-line summary (optional)",
        validators=[Optional(), Length(max=160)],
        description="Up to 160 characters.",
    )
    instructions = TextAreaField(
        "Instructions partners read",
        validators=[DataRequired("Write the instructions partners will read."), Length(max=5000)],
        description="Up to 5,000 characters.",
    )
    default_mode = RadioField(
        "How the couple answers", choices=_choices(MODE_LABELS), default="each_partner"
    )
    default_cadence = RadioField("How often", choices=_choices(CADENCE_LABELS), default="once")
    suggested_duration_days = IntegerField(
        "Suggested length in days",
        default=7,
        validators=[Optional(), NumberRange(1, 90, "Choose from 1 to 90 days.")],
    )
    rationale = TextAreaField(
        "Why this helps (for therapists)",
        validators=[Optional(), Length(max=5000)],
        description="Up to 5,000 characters.",
    )
    reference = TextAreaField(
        "Reference (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Up to 2,000 characters.",
    )
    therapist_looks_for = TextAreaField(
        "What to look for (for therapists, optional)",
        validators=[Optional(), Length(max=5000)],
        description="Up to 5,000 characters.",
    )
    caution = TextAreaField(
        "Caution before assigning (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Up to 2,000 characters.",
    )
    prompts = FieldList(FormField(PromptRowForm), min_entries=0, max_entries=50)
    add_type = SelectField(
        "Type of prompt to add", choices=_choices(TYPE_LABELS), default="long_text"
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
    rows = []
    for p in prompts:
        row = {
            k: p.get(k)
            for k in (
                "key",
                "type",
                "label",
                "help",
                "required",
                "visibility",
                "max_length",
                "items",
                "min_label",
                "max_label",
                "unit",
            )
        }
        if p["type"] == "scale":
            row.update(scale_min=str(p["min"]), scale_max=str(p["max"]))
        if p["type"] == "number":
            row.update(
                number_min="" if p.get("min") is None else str(p["min"]),
                number_max="" if p.get("max") is None else str(p["max"]),
            )
        if p["type"] in ("single_choice", "checklist"):
            row["options"] = "\n".join(p.get("options", []))
        rows.append(row)
    return rows


def new_prompt_row(kind: str, existing_keys: set[str]) -> dict[str, Any]:
    """A fresh builder row of one type, with a key not used yet and sensible settings."""
    n = 1
    while f"q{n}" in existing_keys:
        n += 1
    row: dict[str, Any] = {
        "key": f"q{n}",
        "type": kind if kind in PROMPT_TYPES else "long_text",
        "label": "",
        "required": True,
        "visibility": "therapist_only",
    }
    if kind == "scale":
        row.update(scale_min="0", scale_max="10", min_label="Not at all", max_label="Completely")
    if kind in ("single_choice", "checklist"):
        row["options"] = ""
    return row


class AssignBase(FlaskForm):
    mode = RadioField("How the couple answers", choices=_choices(MODE_LABELS))
    due_on = DateField(
        "Due date",
        validators=[DataRequired("Enter the due date (YYYY-MM-DD).")],
        description="For daily or weekly homework, the first due date.",
    )
    cadence = RadioField("How often", choices=_choices(CADENCE_LABELS), default="once")
    ends_on = DateField(
        "Runs until (daily or weekly only)",
        validators=[Optional()],
        description="Each day or week until this date is its own piece of homework, up to 60.",
    )
    note = TextAreaField(
        "Personal note to the couple (optional)",
        validators=[Optional(), Length(max=NOTE_LIMIT)],
        description=f"Up to {NOTE_LIMIT:,} characters. Both partners see it.",
    )


def assign_form_class(prompts: list[dict[str, Any]]) -> type[AssignBase]:
    """The assign form for one version: a visibility choice per prompt (`vis_<key>`)."""
    fields = {
        f"vis_{p['key']}": SelectField(
            f"Who sees the answer to \u201c{p['label']}\u201d", choices=_choices(VISIBILITY_LABELS)
        )
        for p in prompts
    }
    return type("AssignForm", (AssignBase,), fields)


class AnswerBase(FlaskForm):
    version = HiddenField()
    idempotency_key = HiddenField()


def answer_form_class(prompts: list[dict[str, Any]]) -> type[FlaskForm]:
    return build_answer_form_class(prompts, base=AnswerBase)


class FeedbackForm(FlaskForm):
    prompt_key = SelectField("About", default="")
    audience = RadioField("For", default="both")
    body = TextAreaField(
        "Feedback",
        validators=[DataRequired("Write the feedback first."), Length(max=5000)],
        description="Up to 5,000 characters.",
    )


class ReturnForm(FlaskForm):
    note = TextAreaField(
        "What would you like them to add?",
        validators=[DataRequired("Say what you'd like the partner to add."), Length(max=5000)],
        description="Up to 5,000 characters. Only this partner sees it.",
    )


class DueDateForm(FlaskForm):
    due_on = DateField("New due date", validators=[DataRequired("Enter a date (YYYY-MM-DD).")])


class ExtendForm(FlaskForm):
    ends_on = DateField("Run until", validators=[DataRequired("Enter a date (YYYY-MM-DD).")])
