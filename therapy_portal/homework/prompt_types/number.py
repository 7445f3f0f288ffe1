"""The ``number`` prompt type: a number, optionally bounded, with a unit."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms.fields import DecimalField, StringField
from wtforms.validators import Length, NumberRange, Optional, StopValidation

from therapy_portal.homework.prompt_types.base import (
    FHIR_EXT,
    PromptType,
    describe,
    is_number,
    register,
)
from therapy_portal.homework.prompt_types.numeric import _words
from therapy_portal.i18n import gettext

#: Largest magnitude a ``number`` answer may have (keeps answers finite and JSON-safe).
NUMBER_LIMIT = 1_000_000_000


class FiniteNumber:
    """Reject NaN, infinities and absurdly large numbers before any range check."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.process_errors:  # "Not a valid decimal value." already says it; stop there
            raise StopValidation()
        value = field.data
        if value is None:
            return
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or abs(value) > NUMBER_LIMIT:
            raise StopValidation(gettext("Please enter an ordinary number."))


def _format_number(value: float) -> str:
    return f"{value:,}"


@register
class NumberPrompt(PromptType):
    """A number, optionally bounded by ``min``/``max`` and with a ``unit`` such as "minutes"."""

    name = "number"
    label = "Number"
    menu_order = 8
    fhir_type = "decimal"
    fhir_value = "valueDecimal"
    extra_keys = frozenset({"min", "max", "unit", "notable_gap"})

    def builder_fields(self) -> dict[str, Any]:
        return {
            "number_min": StringField("Smallest number (optional)", validators=[Optional()]),
            "number_max": StringField("Largest number (optional)", validators=[Optional()]),
            "unit": StringField(
                "Unit (optional, e.g. minutes)", validators=[Optional(), Length(max=30)]
            ),
        }

    def read_settings(self, row: Any, defn: dict[str, Any], problems: list[str]) -> None:
        for end, field in (("min", row.number_min), ("max", row.number_max)):
            text = _words(field.data)
            if text:
                try:
                    number = float(text)
                    defn[end] = int(number) if number.is_integer() else number
                except ValueError:
                    problems.append(f"{field.label.text} must be a number.")
        if _words(row.unit.data):
            defn["unit"] = _words(row.unit.data)

    def settings_row(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "number_min": "" if defn.get("min") is None else str(defn["min"]),
            "number_max": "" if defn.get("max") is None else str(defn["max"]),
            "unit": defn.get("unit"),
        }

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        errors = []
        low, high = defn.get("min"), defn.get("max")
        for end, value in (("min", low), ("max", high)):
            if value is not None and (not is_number(value) or abs(value) > NUMBER_LIMIT):
                errors.append(f"'{end}' must be a number.")
        if is_number(low) and is_number(high) and low >= high:
            errors.append("'min' must be smaller than 'max'.")
        unit = defn.get("unit")
        if unit is not None and (not isinstance(unit, str) or not 0 < len(unit) <= 30):
            errors.append("'unit' must be short text (up to 30 characters).")
        gap = defn.get("notable_gap")
        if gap is not None and (not is_number(gap) or gap <= 0):
            errors.append("'notable_gap' must be a positive number.")
        return errors

    def range_text(self, defn: Mapping[str, Any], *, asking: bool = False) -> str:
        """E.g. "A number from 0 to 600 (minutes).", or with `asking` "Please enter a number
        from 0 to 600 (minutes).", in the page's language."""
        low, high = defn.get("min"), defn.get("max")
        values = {"low": _format_number(low), "high": _format_number(high)}
        if low is not None and high is not None:
            text = (
                gettext("Please enter a number from %(low)s to %(high)s", **values)
                if asking
                else gettext("A number from %(low)s to %(high)s", **values)
            )
        elif low is not None:
            text = (
                gettext("Please enter a number of at least %(low)s", **values)
                if asking
                else gettext("A number of at least %(low)s", **values)
            )
        elif high is not None:
            text = (
                gettext("Please enter a number no more than %(high)s", **values)
                if asking
                else gettext("A number no more than %(high)s", **values)
            )
        else:
            text = gettext("Please enter a number") if asking else gettext("A number")
        return text + (f" ({defn['unit']})." if defn.get("unit") else ".")

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        validators = [*self.answer_validators(defn), FiniteNumber()]
        low, high = defn.get("min"), defn.get("max")
        if low is not None or high is not None:
            message = self.range_text(defn, asking=True)
            validators.append(NumberRange(low, high, message=message))
        return DecimalField(
            defn["label"],
            validators=validators,
            places=None,
            description=describe(defn, self.range_text(defn)),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> int | float | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            raise ValueError("Expected a number.")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValueError("Expected a number.") from exc
        if not number.is_finite() or abs(number) > NUMBER_LIMIT:
            raise ValueError("Expected an ordinary number.")
        low, high = defn.get("min"), defn.get("max")
        if (low is not None and number < Decimal(str(low))) or (
            high is not None and number > Decimal(str(high))
        ):
            raise ValueError("The number is out of range.")
        return int(number) if number == number.to_integral_value() else float(number)

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        text = _format_number(value)
        return f"{text} {defn['unit']}" if defn.get("unit") else text

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        if self.is_empty(a) or self.is_empty(b):
            return {"gap": None, "notable": False}
        gap = abs(a - b)
        threshold = defn.get("notable_gap")
        return {"gap": gap, "notable": threshold is not None and gap >= threshold}

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:
        extensions = [
            {"url": FHIR_EXT + end + "Value", "valueDecimal": defn[end]}
            for end in ("min", "max")
            if defn.get(end) is not None
        ]
        if defn.get("unit"):
            extensions.append(
                {"url": FHIR_EXT + "questionnaire-unit", "valueCoding": {"display": defn["unit"]}}
            )
        if extensions:
            item["extension"] = extensions
