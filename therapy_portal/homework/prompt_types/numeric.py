"""The ``scale`` prompt type (a point on a labelled scale); ``number`` is in number.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms.fields import RadioField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from therapy_portal.homework.prompt_types.base import (
    FHIR_EXT,
    PromptType,
    choice,
    describe,
    display_item_control,
    is_int,
    is_number,
    register,
)
from therapy_portal.i18n import gettext


def _int_or_none(value: Any) -> int | None:
    """Coercion for scale radios: malformed input becomes ``None`` for NumberRange to report."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _words(text: str | None) -> str:
    return (text or "").strip()


@register
class ScalePrompt(PromptType):
    """A rating from 0 or 1 up to 5 or 10, with words at both ends."""

    name = "scale"
    label = "Scale (0-10 or 1-5)"
    menu_order = 3
    fhir_type = "integer"
    fhir_value = "valueInteger"
    extra_keys = frozenset({"min", "max", "min_label", "max_label"})

    def builder_fields(self) -> dict[str, Any]:
        return {
            "scale_min": SelectField(
                "Lowest value", choices=[choice("0"), choice("1")], default="0"
            ),
            "scale_max": SelectField(
                "Highest value", choices=[choice("10"), choice("5")], default="10"
            ),
            "min_label": StringField(
                "Words for the lowest value", validators=[Optional(), Length(max=60)]
            ),
            "max_label": StringField(
                "Words for the highest value", validators=[Optional(), Length(max=60)]
            ),
        }

    def read_settings(self, row: Any, defn: dict[str, Any], problems: list[str]) -> None:
        defn.update(
            min=int(row.scale_min.data or 0),
            max=int(row.scale_max.data or 10),
            min_label=_words(row.min_label.data),
            max_label=_words(row.max_label.data),
        )

    def settings_row(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "scale_min": str(defn["min"]),
            "scale_max": str(defn["max"]),
            "min_label": defn.get("min_label"),
            "max_label": defn.get("max_label"),
        }

    def new_settings(self) -> dict[str, Any]:
        return {
            "scale_min": "0",
            "scale_max": "10",
            "min_label": "Not at all",
            "max_label": "Completely",
        }

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        errors = []
        if defn.get("min") not in (0, 1) or not is_int(defn.get("min")):
            errors.append("A scale's 'min' must be 0 or 1.")
        if defn.get("max") not in (5, 10) or not is_int(defn.get("max")):
            errors.append("A scale's 'max' must be 5 or 10.")
        for end in ("min_label", "max_label"):
            label = defn.get(end)
            if not isinstance(label, str) or not label.strip() or len(label) > 60:
                errors.append(f"A scale needs '{end}' (up to 60 characters).")
        return errors

    def range_text(self, defn: Mapping[str, Any]) -> str:
        """E.g. "0 = Not at all, 10 = Completely"."""
        return f"{defn['min']} = {defn['min_label']}, {defn['max']} = {defn['max_label']}"

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        low, high = defn["min"], defn["max"]
        return RadioField(
            defn["label"],
            choices=[choice(str(n)) for n in range(low, high + 1)],
            coerce=_int_or_none,
            validate_choice=False,
            validators=[
                *self.answer_validators(defn),
                NumberRange(
                    low,
                    high,
                    message=gettext(
                        "Please choose a number from %(low)s to %(high)s.", low=low, high=high
                    ),
                ),
            ],
            description=describe(defn, gettext("From %(range)s.", range=self.range_text(defn))),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> int | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        value = _int_or_none(raw)
        if value is None or (is_number(raw) and raw != value):
            raise ValueError("Expected a whole number.")
        if not defn["min"] <= value <= defn["max"]:
            raise ValueError(f"Expected a number from {defn['min']} to {defn['max']}.")
        return value

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        return gettext(
            "%(value)s out of %(most)s (%(range)s)",
            value=value,
            most=defn["max"],
            range=self.range_text(defn),
        )

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        if self.is_empty(a) or self.is_empty(b):
            return {"gap": None, "notable": False}
        gap = abs(int(a) - int(b))
        threshold = 3 if defn["max"] == 10 else 2
        return {"gap": gap, "notable": gap >= threshold}

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:
        item["extension"] = [
            {"url": FHIR_EXT + "minValue", "valueInteger": defn["min"]},
            {"url": FHIR_EXT + "maxValue", "valueInteger": defn["max"]},
        ]
        key = defn["key"]
        item["item"] = [
            display_item_control(f"{key}.lower", str(defn["min_label"]), "lower"),
            display_item_control(f"{key}.upper", str(defn["max_label"]), "upper"),
        ]
