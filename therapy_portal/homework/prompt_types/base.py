"""Shared machinery for prompt types: the registry, common checks and validators.

A prompt definition is a plain, JSON-serialisable dict (see ``therapy_portal.homework.prompts``).
Each prompt type is a small stateless class registered by name in ``PROMPT_TYPES``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from wtforms.fields import Field, SelectChoice
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError

from therapy_portal.i18n import N_, gettext
from therapy_portal.models.vocabulary import DEFAULT_VISIBILITY, VISIBILITIES

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
COMMON_KEYS = frozenset({"key", "type", "label", "help", "required", "visibility"})
MAX_LABEL_LENGTH = 300
MAX_HELP_LENGTH = 1000
NO_ANSWER = N_("No answer")
REQUIRED_MESSAGE = N_("Please answer this question.")

FHIR_EXT = "http://hl7.org/fhir/StructureDefinition/"
FHIR_ITEM_CONTROL = FHIR_EXT + "questionnaire-itemControl"

PROMPT_TYPES: dict[str, PromptType] = {}


def register(cls: type[PromptType]) -> type[PromptType]:
    """Class decorator: register one instance of a prompt type under its ``name``."""
    if cls.name in PROMPT_TYPES:
        raise ValueError(f"Prompt type {cls.name!r} is already registered")
    PROMPT_TYPES[cls.name] = cls()
    return cls


def choice(value: str, label: str | None = None) -> SelectChoice:
    """One WTForms choice (its label is the value unless given)."""
    return SelectChoice(value=value, label=label if label is not None else value)


def normalise_text(value: Any) -> Any:
    """Field filter and cleaning step: unify line endings, drop NUL bytes, strip the ends."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    return value


def fold(text: str) -> str:
    """Comparison key for list and checklist items: case- and whitespace-insensitive."""
    return " ".join(text.split()).casefold()


def is_int(value: Any) -> bool:
    """True for a real ``int`` (``bool`` excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for an ``int`` or ``float`` (``bool`` excluded)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def describe(defn: Mapping[str, Any], limit: str = "") -> str:
    """A field description: the author's help text, then the limit sentence."""
    parts = [str(defn.get("help") or "").strip(), limit]
    return " ".join(part for part in parts if part)


def item_control(code: str) -> dict[str, Any]:
    """A FHIR ``questionnaire-itemControl`` extension with the given code."""
    return {
        "url": FHIR_ITEM_CONTROL,
        "valueCodeableConcept": {
            "coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": code}]
        },
    }


def display_item_control(link_id: str, text: str, code: str) -> dict[str, Any]:
    """A FHIR ``display`` child item carrying an itemControl code (help, lower, upper)."""
    return {"linkId": link_id, "type": "display", "text": text, "extension": [item_control(code)]}


class AnswerRequired(InputRequired):
    """Require an answer.

    Unlike plain ``InputRequired`` this treats whitespace-only text as no answer, works for
    ``FieldList`` (which has no raw input of its own) and leaves malformed input (a bad date, a
    non-number) to the field's own errors instead of claiming nothing was entered.
    """

    def __init__(
        self,
        is_empty: Callable[[Any], bool],
        message: str | None = None,
        *,
        html_required: bool = True,
    ) -> None:
        super().__init__(message or gettext(REQUIRED_MESSAGE))
        self.is_empty = is_empty
        if not html_required:  # e.g. checkboxes: "required" on each box would demand all of them
            self.field_flags = {}

    def __call__(self, form: Any, field: Field) -> None:
        raw = getattr(field, "raw_data", None)
        if raw is not None and not hasattr(field, "entries"):
            if any(str(item).strip() for item in raw):
                return
        elif not self.is_empty(field.data):
            return
        field.errors[:] = []
        raise StopValidation(self.message)


class SubsetOf:
    """Every selected value must be one of ``values`` (for multi-select fields)."""

    def __init__(self, values: Sequence[str], message: str) -> None:
        self.values = tuple(values)
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if any(item not in self.values for item in field.data or ()):
            raise ValidationError(self.message)


class PromptType(ABC):
    """Base class for a prompt type. Subclasses set ``name``/``fhir_type`` and override hooks.

    A type owns every piece of itself: its answer field and cleaning, its comparison, its FHIR
    mapping, and its row in the template builder (``label``, ``menu_order``, the settings fields
    of `builder_fields`, read back by `read_settings`, shown by ``builder_partial``).
    """

    name: ClassVar[str]
    fhir_type: ClassVar[str]
    fhir_value: ClassVar[str] = "valueString"
    repeats: ClassVar[bool] = False
    extra_keys: ClassVar[frozenset[str]] = frozenset()
    #: What the template builder calls this type, and where it comes in its "add" menu.
    label: ClassVar[str]
    menu_order: ClassVar[int] = 100
    #: The partial that shows this type's settings in a builder row (``row`` is the row form).
    builder_partial: ClassVar[str] = "homework/prompt_types/_settings.html"

    # -- the template builder ----------------------------------------------------------------
    def builder_fields(self) -> dict[str, Field]:
        """Unbound WTForms fields for this type's own settings, by name, in display order.

        Types may share a field (same name, same object); every builder row carries all types'
        fields, and only the row's own type's are shown and read.
        """
        return {}

    @property
    def builder_field_names(self) -> list[str]:
        return list(self.builder_fields())

    def read_settings(self, row: Any, defn: dict[str, Any], problems: list[str]) -> None:  # noqa: B027
        """Add this type's settings from a builder ``row`` form to ``defn`` (hook)."""

    def settings_row(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        """A stored definition's settings as builder row data (``data=`` for its fields)."""
        return {name: defn.get(name) for name in self.builder_field_names if name in defn}

    def new_settings(self) -> dict[str, Any]:
        """Settings a freshly added builder row of this type starts with."""
        return {}

    # -- definitions -------------------------------------------------------------------------
    def validate_definition(self, defn: Mapping[str, Any]) -> list[str]:
        """Problems a template author must fix in this definition (empty list when valid)."""
        if not isinstance(defn, Mapping):
            return ["A prompt must be a table of settings."]
        errors: list[str] = []
        key = defn.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            errors.append(
                "The key must be 1-40 lowercase letters, digits or underscores, "
                "starting with a letter."
            )
        if defn.get("type") != self.name:
            errors.append(f"The type must be {self.name!r}.")
        label = defn.get("label")
        if not isinstance(label, str) or not label.strip():
            errors.append("The label is missing.")
        elif len(label) > MAX_LABEL_LENGTH:
            errors.append(f"The label is longer than {MAX_LABEL_LENGTH} characters.")
        help_text = defn.get("help")
        if help_text is not None and (
            not isinstance(help_text, str) or len(help_text) > MAX_HELP_LENGTH
        ):
            errors.append(f"The help text must be text of at most {MAX_HELP_LENGTH} characters.")
        if not isinstance(defn.get("required", True), bool):
            errors.append("'required' must be true or false.")
        if defn.get("visibility", DEFAULT_VISIBILITY) not in VISIBILITIES:
            errors.append("The visibility must be one of: " + ", ".join(VISIBILITIES) + ".")
        unknown = sorted(set(defn) - COMMON_KEYS - self.extra_keys)
        if unknown:
            errors.append("Unknown setting(s) for this type: " + ", ".join(unknown) + ".")
        return errors + self.check_specific(defn)

    def check_specific(self, defn: Mapping[str, Any]) -> list[str]:
        """Type-specific definition checks (hook)."""
        return []

    def with_defaults(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of the definition with every default made explicit."""
        return {"required": True, "visibility": DEFAULT_VISIBILITY, **defn}

    def answer_validators(self, defn: Mapping[str, Any], *, html_required: bool = True) -> list:
        """``[AnswerRequired]`` or ``[Optional]`` depending on ``required``."""
        if defn.get("required", True):
            return [AnswerRequired(self.is_empty, html_required=html_required)]
        return [Optional()]

    # -- forms and answers -------------------------------------------------------------------
    @abstractmethod
    def make_field(self, defn: Mapping[str, Any]) -> Any:
        """An unbound WTForms field for this prompt."""

    @abstractmethod
    def clean(self, defn: Mapping[str, Any], raw: Any) -> Any:
        """Normalise a field value to its stored JSON value; ``ValueError`` if it can't be valid."""

    def is_empty(self, value: Any) -> bool:
        """True when the value counts as no answer."""
        if isinstance(value, str):
            return not value.strip()
        return value is None or value == [] or value == ()

    def to_field_data(self, defn: Mapping[str, Any], value: Any) -> Any:
        """Turn a stored value back into what the field expects (to refill a draft)."""
        return value

    def display(self, defn: Mapping[str, Any], value: Any) -> str:
        """Plain text for review pages, digests and PDFs."""
        if self.is_empty(value):
            return gettext(NO_ANSWER)
        return self.display_value(defn, value)

    def display_value(self, defn: Mapping[str, Any], value: Any) -> str:
        """Plain text for a non-empty value (hook)."""
        return str(value)

    def compare(self, defn: Mapping[str, Any], a: Any, b: Any) -> dict[str, Any]:
        """What the therapist should notice between partner A's and B's answers."""
        return {}

    def differs(self, a: Any, b: Any) -> dict[str, Any]:
        """A comparison for one-value answers: they differ (only when both answered)."""
        both = not self.is_empty(a) and not self.is_empty(b)
        return {"differs": both and a != b}

    # -- FHIR R4 -----------------------------------------------------------------------------
    def to_fhir_item(self, defn: Mapping[str, Any]) -> dict[str, Any]:
        """A FHIR R4 ``Questionnaire.item`` for this prompt."""
        key = str(defn["key"])
        item: dict[str, Any] = {
            "linkId": key,
            "text": defn["label"],
            "type": self.fhir_type,
            "required": bool(defn.get("required", True)),
            "repeats": self.repeats,
        }
        self.fhir_details(defn, item)
        if defn.get("help"):
            item.setdefault("item", []).append(
                display_item_control(f"{key}.help", str(defn["help"]), "help")
            )
        return item

    def fhir_details(self, defn: Mapping[str, Any], item: dict[str, Any]) -> None:  # noqa: B027
        """Add type-specific keys (maxLength, answerOption, extensions) to ``item`` (hook)."""

    def to_fhir_answer(self, defn: Mapping[str, Any], value: Any) -> list[dict[str, Any]]:
        """FHIR R4 ``QuestionnaireResponse.item.answer`` entries (empty list for no answer)."""
        if self.is_empty(value):
            return []
        values = value if self.repeats else [value]
        return [{self.fhir_value: item} for item in values]
