"""The ``date`` prompt type: a calendar date, stored as an ISO string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from wtforms.fields import DateField

from therapy_portal.homework.prompt_types.base import PromptType, describe, register
from therapy_portal.ui import dates


@register
class DatePrompt(PromptType):
    """A calendar date (no time), stored as an ISO string."""

    name = "date"
    label = "Date"
    menu_order = 7
    fhir_type = "date"
    fhir_value = "valueDate"

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        return DateField(
            defn["label"],
            validators=self.answer_validators(defn),
            format="%Y-%m-%d",
            description=describe(defn, "A date, for example 2025-03-14."),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip()).isoformat()
            except ValueError as exc:
                raise ValueError("Expected a date as YYYY-MM-DD.") from exc
        raise ValueError("Expected a date.")

    def to_field_data(self, defn: Mapping[str, Any], value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        return dates.day(dt.date.fromisoformat(str(value)))

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        return self.differs(a, b)
