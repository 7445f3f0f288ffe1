"""Text prompt types: ``long_text``, ``short_text`` and ``list`` (N short items)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from wtforms.fields import FieldList, IntegerField, Label, StringField, TextAreaField
from wtforms.validators import Length, Optional

from therapy_portal.homework.prompt_types.base import (
    FHIR_EXT,
    PromptType,
    describe,
    fold,
    is_int,
    normalise_text,
    register,
)
from therapy_portal.i18n import gettext, ngettext, number

#: Builder settings: the most characters (per item for a list), and how many items.
MAX_LENGTH_FIELD = IntegerField("Most characters allowed", validators=[Optional()])
ITEMS_FIELD = IntegerField("How many items", validators=[Optional()])


def _read_whole_numbers(row: Any, defn: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if row[name].data:
            defn[name] = row[name].data


def _length_message(limit: int, each_item: bool = False) -> str:
    # WTForms formats Length messages with %-style placeholders; only %(length)d is used here,
    # so it is written %%(length)d for gettext's own formatting to leave it in place.
    if each_item:
        return gettext(
            "Please keep each item to %(limit)s characters or fewer (it has %%(length)d).",
            limit=number(limit),
        )
    return gettext(
        "Please keep this to %(limit)s characters or fewer (it has %%(length)d).",
        limit=number(limit),
    )


def _check_max_length(defn: Mapping[str, Any], cap: int, what: str = "max_length") -> list[str]:
    value = defn.get("max_length")
    if value is not None and (not is_int(value) or not 1 <= value <= cap):
        return [f"'{what}' must be a whole number from 1 to {cap:,}."]
    return []


def _clean_text(raw: Any, limit: int) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError("Expected text.")
    text = normalise_text(raw)
    if len(text) > limit:
        raise ValueError(f"Text is longer than {limit:,} characters.")
    return text or None


class _TextPrompt(PromptType):
    """Free text with a per-prompt ``max_length`` below a hard cap."""

    default_max: ClassVar[int]
    hard_cap: ClassVar[int]
    field_class: ClassVar[type]
    #: Browser ``maxlength`` silently cuts pasted text; long answers rely on the server message.
    browser_maxlength: ClassVar[bool] = True
    fhir_value = "valueString"
    extra_keys = frozenset({"max_length"})

    def limit(self, defn: Mapping[str, Any]) -> int:
        """The effective maximum length in characters."""
        return int(defn.get("max_length") or self.default_max)

    def builder_fields(self) -> dict[str, Any]:
        return {"max_length": MAX_LENGTH_FIELD}

    def read_settings(self, row: Any, defn: dict[str, Any], problems: list[str]) -> None:
        _read_whole_numbers(row, defn, ("max_length",))

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        return _check_max_length(defn, self.hard_cap)

    def with_defaults(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().with_defaults(defn), "max_length": self.limit(defn)}

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        limit = self.limit(defn)
        return self.field_class(
            defn["label"],
            validators=[
                *self.answer_validators(defn),
                Length(max=limit, message=_length_message(limit)),
            ],
            filters=[normalise_text],
            description=describe(defn, gettext("Up to %(limit)s characters.", limit=number(limit))),
            render_kw=None if self.browser_maxlength else {"maxlength": False},
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> str | None:
        return _clean_text(raw, self.limit(defn))

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:
        item["maxLength"] = self.limit(defn)


@register
class LongTextPrompt(_TextPrompt):
    """Several paragraphs (a textarea)."""

    name = "long_text"
    label = "Long text"
    menu_order = 1
    fhir_type = "text"
    default_max = 5000
    hard_cap = 20000
    field_class = TextAreaField
    browser_maxlength = False


@register
class ShortTextPrompt(_TextPrompt):
    """One line of text."""

    name = "short_text"
    label = "Short text"
    menu_order = 2
    fhir_type = "string"
    default_max = 300
    hard_cap = 1000
    field_class = StringField


class NumberedFieldList(FieldList):
    """A ``FieldList`` whose entries are labelled "Item 1", "Item 2", ... (visible labels)."""

    def process(self, formdata: Any, *args: Any, **kwargs: Any) -> None:
        """Process as usual, then label each entry by its position."""
        super().process(formdata, *args, **kwargs)
        for position, entry in enumerate(self.entries, start=1):
            entry.label = Label(entry.id, gettext("Item %(number)s", number=position))


@register
class ListPrompt(PromptType):
    """N short items, e.g. "three things I appreciated this week"."""

    name = "list"
    label = "A list of short items"
    menu_order = 9
    fhir_type = "string"
    repeats = True
    default_items = 3
    default_max = 200
    hard_cap = 1000
    extra_keys = frozenset({"items", "max_length"})

    def items(self, defn: Mapping[str, Any]) -> int:
        """How many item boxes to offer."""
        return int(defn.get("items") or self.default_items)

    def builder_fields(self) -> dict[str, Any]:
        return {"max_length": MAX_LENGTH_FIELD, "items": ITEMS_FIELD}

    def read_settings(self, row: Any, defn: dict[str, Any], problems: list[str]) -> None:
        _read_whole_numbers(row, defn, ("max_length", "items"))

    def limit(self, defn: Mapping[str, Any]) -> int:
        """Maximum characters per item."""
        return int(defn.get("max_length") or self.default_max)

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        errors = _check_max_length(defn, self.hard_cap)
        items = defn.get("items")
        if items is not None and (not is_int(items) or not 1 <= items <= 10):
            errors.append("'items' must be a whole number from 1 to 10.")
        return errors

    def with_defaults(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super().with_defaults(defn),
            "items": self.items(defn),
            "max_length": self.limit(defn),
        }

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, list | tuple):
            return not any(isinstance(v, str) and v.strip() for v in value)
        return super().is_empty(value)

    def make_field(self, defn: Mapping[str, Any]) -> Any:
        items, limit = self.items(defn), self.limit(defn)
        entry = StringField(
            gettext("Item"),
            validators=[
                Optional(),
                Length(max=limit, message=_length_message(limit, each_item=True)),
            ],
            filters=[normalise_text],
        )
        return NumberedFieldList(
            entry,
            defn["label"],
            validators=self.answer_validators(defn),
            min_entries=items,
            max_entries=items,
            description=describe(
                defn,
                ngettext(
                    "Up to %(num)d item, each up to %(limit)s characters.",
                    "Up to %(num)d items, each up to %(limit)s characters.",
                    items,
                    limit=number(limit),
                ),
            ),
        )

    def clean(self, defn: Mapping[str, Any], raw: Any) -> list[str]:
        if raw is None:
            return []
        if isinstance(raw, str) or not isinstance(raw, list | tuple):
            raise ValueError("Expected a list of short texts.")
        limit = self.limit(defn)
        cleaned = [text for text in (_clean_text(item, limit) for item in raw) if text]
        if len(cleaned) > self.items(defn):
            raise ValueError(f"At most {self.items(defn)} items are allowed.")
        return cleaned

    def to_field_data(self, defn: Mapping[str, Any], value: Any) -> Any:
        return list(value or [])

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        return "\n".join(f"{n}. {text}" for n, text in enumerate(value, start=1))

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        return compare_items(a, b)

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:
        item["maxLength"] = self.limit(defn)
        item["extension"] = [
            {"url": FHIR_EXT + "questionnaire-maxOccurs", "valueInteger": self.items(defn)}
        ]


def compare_items(a: Any, b: Any) -> dict[str, list[str]]:
    """Items only A named, only B named, and both named (case- and whitespace-insensitive)."""
    a_items = [x for x in (a or []) if isinstance(x, str) and x.strip()]
    b_items = [x for x in (b or []) if isinstance(x, str) and x.strip()]
    a_keys = {fold(x) for x in a_items}
    b_keys = {fold(x) for x in b_items}

    def unique(items: list[str], keep: set[str]) -> list[str]:
        seen: set[str] = set()
        result = []
        for text in items:
            key = fold(text)
            if key in keep and key not in seen:
                seen.add(key)
                result.append(" ".join(text.split()))
        return result

    return {
        "only_a": unique(a_items, a_keys - b_keys),
        "only_b": unique(b_items, b_keys - a_keys),
        "both": unique(a_items, a_keys & b_keys),
    }
