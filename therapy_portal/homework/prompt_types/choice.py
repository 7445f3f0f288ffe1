"""Choice prompt types: ``single_choice``, ``checklist`` (multi-select) and ``yes_no``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms.fields import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import AnyOf, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from therapy_portal.homework.prompt_types.base import (
    PromptType,
    SubsetOf,
    choice,
    describe,
    fold,
    item_control,
    register,
)
from therapy_portal.homework.prompt_types.text import compare_items
from therapy_portal.i18n import N_, gettext

MAX_OPTION_LENGTH = 200
CHOICE_MESSAGE = N_("Please choose one of the options listed.")


def _options(defn: Mapping[str, Any]) -> list[str]:
    return list(defn.get("options") or [])


class _OptionsPrompt(PromptType):
    """A prompt answered from the author's options, typed one per line in the builder."""

    extra_keys = frozenset({"options"})
    options_field = TextAreaField("Options, one per line", validators=[Optional()])

    def builder_fields(self) -> dict[str, Any]:
        return {"options": _OptionsPrompt.options_field}

    def read_settings(self, row: Any, defn: dict[str, Any], problems: list[str]) -> None:
        defn["options"] = [line.strip() for line in (row.options.data or "").splitlines()]
        defn["options"] = [line for line in defn["options"] if line]

    def settings_row(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        return {"options": "\n".join(_options(defn))}

    def new_settings(self) -> dict[str, Any]:
        return {"options": ""}


def _check_options(defn: Mapping[str, Any], most: int) -> list[str]:
    options = defn.get("options")
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        return ["'options' must be a list of text choices."]
    errors = []
    if len(options) < 2:
        errors.append("A choice prompt needs at least two options.")
    if len(options) > most:
        errors.append(f"A choice prompt can have at most {most} options.")
    if any(not o.strip() or len(o) > MAX_OPTION_LENGTH for o in options):
        errors.append(f"Every option needs text of at most {MAX_OPTION_LENGTH} characters.")
    elif any(o != o.strip() for o in options):
        errors.append("Options must not start or end with spaces.")
    folded = [fold(o) for o in options]
    duplicates = sorted({o for o, f in zip(options, folded, strict=True) if folded.count(f) > 1})
    if duplicates:
        errors.append("Duplicate option(s): " + ", ".join(repr(d) for d in duplicates) + ".")
    return errors


def _answer_options(defn: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"valueString": option} for option in _options(defn)]


@register
class SingleChoicePrompt(_OptionsPrompt):
    """Pick exactly one of a list of options (radio buttons)."""

    name = "single_choice"
    label = "Single choice"
    menu_order = 4
    fhir_type = "choice"

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        return _check_options(defn, most=20)

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        options = _options(defn)
        return RadioField(
            defn["label"],
            choices=[choice(o) for o in options],
            validate_choice=False,
            validators=[
                *self.answer_validators(defn),
                AnyOf(options, message=gettext(CHOICE_MESSAGE)),
            ],
            description=describe(defn, gettext("Choose one.")),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if not isinstance(raw, str) or raw.strip() not in _options(defn):
            raise ValueError("Not one of the options.")
        return raw.strip()

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        return self.differs(a, b)

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:
        item["answerOption"] = _answer_options(defn)


@register
class ChecklistPrompt(_OptionsPrompt):
    """Tick any number of options (checkboxes), e.g. "ways I like to receive affection"."""

    name = "checklist"
    label = "Checklist (several choices)"
    menu_order = 5
    fhir_type = "choice"
    repeats = True

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        return _check_options(defn, most=30)

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        options = _options(defn)
        return SelectMultipleField(
            defn["label"],
            choices=[choice(o) for o in options],
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            validators=[
                # No HTML "required": on checkboxes it would demand that every box be ticked.
                *self.answer_validators(defn, html_required=False),
                SubsetOf(options, message=gettext("Please choose only from the options listed.")),
            ],
            description=describe(defn, gettext("Choose all that apply.")),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> list[str]:
        if raw is None:
            return []
        if isinstance(raw, str) or not isinstance(raw, list | tuple):
            raise ValueError("Expected a list of options.")
        chosen = {item.strip() for item in raw if isinstance(item, str) and item.strip()}
        options = _options(defn)
        if chosen - set(options) or any(not isinstance(item, str) for item in raw):
            raise ValueError("Not one of the options.")
        return [option for option in options if option in chosen]  # template order, no repeats

    def to_field_data(self, defn: Mapping[str, Any], value: Any) -> Any:
        return list(value or [])

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        return "; ".join(value)

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        return compare_items(a, b)

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:
        item["answerOption"] = _answer_options(defn)
        item["extension"] = [item_control("check-box")]


@register
class YesNoPrompt(PromptType):
    """Yes or no (radio buttons with the values "yes"/"no"); stored as a boolean."""

    name = "yes_no"
    label = "Yes or no"
    menu_order = 6
    fhir_type = "boolean"
    fhir_value = "valueBoolean"

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        return RadioField(
            defn["label"],
            choices=[choice("yes", gettext("Yes")), choice("no", gettext("No"))],
            validate_choice=False,
            validators=[
                *self.answer_validators(defn),
                AnyOf(["yes", "no"], message=gettext("Please choose yes or no.")),
            ],
            description=describe(defn),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> bool | None:
        if raw is None or isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            word = raw.strip().lower()
            if not word:
                return None
            if word in ("yes", "true"):
                return True
            if word in ("no", "false"):
                return False
        raise ValueError("Expected yes or no.")

    def to_field_data(self, defn: Mapping[str, Any], value: Any) -> Any:
        return None if value is None else ("yes" if value else "no")

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        return gettext("Yes") if value else gettext("No")

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        both = a is not None and b is not None
        return {"differs": both and a != b}
