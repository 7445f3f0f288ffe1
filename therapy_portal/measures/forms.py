"""Forms: a check-in schedule, and answer forms built from the instrument registry."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from therapy_portal.formtools import optional_id
from therapy_portal.i18n import current_language, gettext, lazy_gettext
from therapy_portal.measures import Instrument
from therapy_portal.measures.outcome_alerts import REASON_MAX, REASON_REQUIRED, REASON_TOO_LONG
from therapy_portal.measures.services import MAX_INTERVAL_WEEKS, offered_instruments

INTERVAL_CHOICES = [SelectChoice(1, lazy_gettext("Every week"))] + [
    SelectChoice(n, f"Every {n} weeks") for n in range(2, MAX_INTERVAL_WEEKS + 1)
]
MAX_BACKDATE_DAYS = 28


def _start_in_range(form, field) -> None:
    today = form.today
    if field.data and field.data < today - timedelta(days=MAX_BACKDATE_DAYS):
        raise ValidationError(f"The start date can be at most {MAX_BACKDATE_DAYS} days ago.")
    if field.data and field.data > today + timedelta(days=365):
        raise ValidationError(gettext("The start date must be within the next year."))


class ScheduleForm(FlaskForm):
    instrument = RadioField(
        lazy_gettext("Questionnaire"),
        validators=[InputRequired(lazy_gettext("Choose a questionnaire."))],
        validate_choice=False,  # the service explains why an unknown or unlicensed one is refused
    )
    interval_weeks = SelectField(
        lazy_gettext("How often"),
        choices=INTERVAL_CHOICES,
        coerce=int,
        default=1,
        validators=[InputRequired(lazy_gettext("Choose how often."))],
    )
    starts_on = DateField(
        lazy_gettext("First check-in opens on"),
        validators=[InputRequired(lazy_gettext("Enter a start date.")), _start_in_range],
        description=lazy_gettext(
            "Each partner can answer once in every period, from this date on."
        ),
    )
    # The couple's current plan goals are set by the view (`measures.goal_links`).
    goal_id = SelectField(
        lazy_gettext("Works toward goal (optional)"),
        coerce=optional_id,
        validate_choice=False,
        description=lazy_gettext("The plan's overview then shows these scores for the goal."),
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.instrument.choices = [
            SelectChoice(inst.key, f"{inst.name}: {len(inst.items)} questions")
            for inst in offered_instruments()
        ]
        if not self.starts_on.data and not self.is_submitted():
            self.starts_on.data = today


class AnswerFormBase(FlaskForm):
    """Fields ``item_1`` … ``item_N`` are added per instrument by :func:`answer_form_class`."""

    instrument: Instrument

    def item_fields(self):
        return [(item, self[f"item_{item.number}"]) for item in self.instrument.items]

    def to_answers(self) -> dict[int, object]:
        """Item number -> answer; the service checks range and completeness and names the item."""
        answers: dict[int, object] = {}
        for item, f in self.item_fields():
            raw = f.data
            if raw in (None, "", "None"):
                continue
            answers[item.number] = int(raw) if str(raw).lstrip("-").isdigit() else raw
        return answers


_FORM_CLASSES: dict[tuple[str, str, str], type[AnswerFormBase]] = {}


def answer_form_class(inst: Instrument) -> type[AnswerFormBase]:
    """A form class with one radio group per item, options in the printed order and wording
    (the instrument's language: `Instrument.in_language`)."""
    # the instrument's wording (`Instrument.in_language`) and the page's language (labels, messages)
    cache_key = (inst.key, inst.language, current_language())
    if cache_key in _FORM_CLASSES:
        return _FORM_CLASSES[cache_key]
    attrs: dict[str, object] = {"instrument": inst}
    for item in inst.items:
        text = item.text or gettext("Item %(number)s", number=item.number)
        attrs[f"item_{item.number}"] = RadioField(
            f"{item.number}. {text}",
            choices=[SelectChoice(str(value), label) for value, label in item.options],
            validators=[
                InputRequired(
                    gettext("Please choose an answer for question %(number)s.", number=item.number)
                )
            ],
            validate_choice=False,  # range is the scorer's job, with a message naming the item
        )
    cls = type(f"AnswerForm_{inst.key}_{inst.language}", (AnswerFormBase,), attrs)
    _FORM_CLASSES[cache_key] = cls
    return cls


class DismissOutcomeForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Why are you dismissing this alert?"),
        description=lazy_gettext(
            "Required. Kept with the alert for the record; partners never see it."
        ),
        validators=[
            InputRequired(REASON_REQUIRED),
            Length(max=REASON_MAX, message=REASON_TOO_LONG),
        ],
    )
