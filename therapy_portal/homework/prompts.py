"""Typed prompts for homework templates: the public API.

A prompt definition is a plain, JSON-serialisable dict::

    {"key": "went_well", "type": "long_text", "label": "One thing that went well",
     "help": "...", "required": True, "visibility": "shared_after_both", "max_length": 2000}

Common keys: ``key`` (slug, unique within a template), ``type``, ``label``, ``help`` (optional),
``required`` (default true) and ``visibility`` (default ``therapist_only``, the most private).
Type-specific keys:

- ``long_text`` / ``short_text``: ``max_length`` (defaults 5,000 / 300; caps 20,000 / 1,000)
- ``scale``: ``min`` (0 or 1), ``max`` (5 or 10), ``min_label``, ``max_label``
- ``single_choice`` / ``checklist``: ``options`` (list of distinct strings, at least two)
- ``yes_no``, ``date``: none
- ``number``: optional ``min``, ``max``, ``unit`` (e.g. "minutes"), ``notable_gap``
- ``list``: ``items`` (1-10, default 3), ``max_length`` per item (default 200, cap 1,000)

Answer forms name each field ``p_<key>``. Stored answers are JSON values: text -> str, list and
checklist -> list[str], scale -> int, number -> int | float, date -> ISO string, yes_no -> bool,
and ``None`` (or ``[]`` for lists) for no answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from wtforms import Form

from therapy_portal.homework.prompt_types import PROMPT_TYPES, PromptType
from therapy_portal.homework.prompt_types.base import NO_ANSWER
from therapy_portal.homework.wording import (
    CADENCE_LABELS,
    MODE_LABELS,
    VISIBILITY_LABELS,
    VISIBILITY_NOTICES,
)
from therapy_portal.i18n import current_language
from therapy_portal.models.vocabulary import CADENCES, DEFAULT_VISIBILITY, MODES, VISIBILITIES

__all__ = [
    "CADENCES",
    "CADENCE_LABELS",
    "DEFAULT_VISIBILITY",
    "FIELD_PREFIX",
    "MAX_PROMPTS",
    "MODES",
    "MODE_LABELS",
    "NO_ANSWER",
    "PROMPT_TYPES",
    "VISIBILITIES",
    "VISIBILITY_LABELS",
    "VISIBILITY_NOTICES",
    "PromptType",
    "build_answer_form_class",
    "collect_answers",
    "field_name",
    "form_data_for",
    "get_prompt_type",
    "prompt_type_for",
    "to_fhir_answer_items",
    "to_fhir_items",
    "validate_prompts",
    "with_defaults",
]

FIELD_PREFIX = "p_"
MAX_PROMPTS = 50


def get_prompt_type(name: str) -> PromptType:
    """The registered prompt type called ``name``; ``ValueError`` if there is none."""
    try:
        return PROMPT_TYPES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown prompt type {name!r}") from None


def prompt_type_for(defn: Mapping[str, Any]) -> PromptType:
    """The prompt type that handles this definition (by its ``type`` key)."""
    return get_prompt_type(defn.get("type"))  # type: ignore[arg-type]


def field_name(defn: Mapping[str, Any]) -> str:
    """The answer-form field name for a prompt: ``p_<key>``."""
    return f"{FIELD_PREFIX}{defn['key']}"


def validate_prompts(prompts: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every problem with a template's prompt list, for its author (empty list when valid).

    Checks that there is at least one prompt, that each definition is valid for its type
    (including its visibility) and that keys are unique.
    """
    if isinstance(prompts, str | bytes | Mapping) or not isinstance(prompts, Sequence):
        return ["Prompts must be a list."]
    if not prompts:
        return ["A template needs at least one prompt."]
    errors: list[str] = []
    if len(prompts) > MAX_PROMPTS:
        errors.append(f"A template can have at most {MAX_PROMPTS} prompts.")
    first_seen: dict[str, int] = {}
    for position, defn in enumerate(prompts, start=1):
        if not isinstance(defn, Mapping):
            errors.append(f"Prompt {position}: must be a table of settings.")
            continue
        key = defn.get("key")
        where = f"Prompt {position} ({key!r})" if isinstance(key, str) else f"Prompt {position}"
        try:
            prompt_type = prompt_type_for(defn)
        except ValueError:
            known = ", ".join(sorted(PROMPT_TYPES))
            errors.append(f"{where}: unknown type {defn.get('type')!r} (known types: {known}).")
            continue
        errors.extend(f"{where}: {problem}" for problem in prompt_type.validate_definition(defn))
        if isinstance(key, str):
            if key in first_seen:
                errors.append(f"{where}: duplicate key, already used by prompt {first_seen[key]}.")
            else:
                first_seen[key] = position
    return errors


def _require_valid(prompts: Sequence[Mapping[str, Any]]) -> None:
    errors = validate_prompts(prompts)
    if errors:
        raise ValueError("Invalid prompts: " + " ".join(errors))


def with_defaults(prompts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of valid definitions with every default made explicit (for storing a version)."""
    _require_valid(prompts)
    return [prompt_type_for(defn).with_defaults(defn) for defn in prompts]


def build_answer_form_class(
    prompts: Sequence[Mapping[str, Any]],
    base: type[Form] = Form,
    name: str = "AnswerForm",
) -> type[Form]:
    """A ``base`` subclass with one field per prompt, named ``p_<key>``, in prompt order.

    Pass ``flask_wtf.FlaskForm`` as ``base`` for CSRF protection. Raises ``ValueError`` when
    the prompts are invalid. The class is built once per prompt list and base (versions never
    change), so a request that shows a form again reuses it. Its hints and messages are in the
    page's language, so each language has its own class.
    """
    _require_valid(prompts)
    prompts_json = json.dumps(list(prompts), sort_keys=True, default=str)
    return _answer_form_class(prompts_json, base, name, current_language())


@lru_cache(maxsize=512)
def _answer_form_class(prompts_json: str, base: type[Form], name: str, language: str) -> type[Form]:
    prompts = json.loads(prompts_json)
    fields = {field_name(defn): prompt_type_for(defn).make_field(defn) for defn in prompts}
    return type(name, (base,), fields)


def collect_answers(prompts: Sequence[Mapping[str, Any]], form: Form) -> dict[str, Any]:
    """Clean every prompt's field data into ``{key: JSON value}``.

    Call after ``form.validate()`` succeeded; ``clean`` raises ``ValueError`` for data that
    could not be a valid answer.
    """
    return {
        str(defn["key"]): prompt_type_for(defn).clean(defn, form[field_name(defn)].data)
        for defn in prompts
    }


def form_data_for(
    prompts: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Stored answers turned back into ``data=`` for an answer form (e.g. to reopen a draft)."""
    return {
        field_name(defn): prompt_type_for(defn).to_field_data(defn, answers.get(defn["key"]))
        for defn in prompts
        if defn["key"] in answers
    }


def to_fhir_items(prompts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """FHIR R4 ``Questionnaire.item`` entries, one per prompt."""
    _require_valid(prompts)
    return [prompt_type_for(defn).to_fhir_item(defn) for defn in prompts]


def to_fhir_answer_items(
    prompts: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """FHIR R4 ``QuestionnaireResponse.item`` entries for the answered prompts.

    FHIR has no per-item visibility: callers must pass only the prompts the reader may see.
    """
    items = []
    for defn in prompts:
        answer = prompt_type_for(defn).to_fhir_answer(defn, answers.get(defn["key"]))
        if answer:
            items.append({"linkId": defn["key"], "text": defn["label"], "answer": answer})
    return items
