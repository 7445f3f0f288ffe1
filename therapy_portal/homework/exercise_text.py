"""An exercise's text in a person's language.

English is the source. A built-in exercise also carries translations, stored with its version
(``ExerciseVersion.translations``, from each library file's ``[translations.<code>]`` table)::

    {"es": {"title": ..., "summary": ..., "instructions": ...,
            "prompts": {"<key>": {"label": ..., "help": ..., "options": [...], ...}}}}

A translation replaces only what a partner reads: the title, summary and instructions, and each
prompt's label, help, scale end labels, unit and option labels. Everything else (keys, types,
visibility, limits) stays the English version's. A choice answer is stored as the English option
(the canonical value), so the therapist's review, the comparison of partners and every count read
the same value whatever language it was answered in; the partner sees the translated label.

`for_person` is the one place that picks the text for someone: their language's translation when
the version has one, else English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wtforms.fields import SelectChoice

from therapy_portal.homework.prompts import field_name, prompt_type_for, validate_prompts
from therapy_portal.i18n import LANGUAGES, N_, gettext

SOURCE = "en"
#: The exercise's own text a translation gives (every one of them).
EXERCISE_KEYS = ("title", "summary", "instructions")
#: A prompt's text a translation gives: each of these the English prompt has, and its options.
PROMPT_KEYS = ("label", "help", "min_label", "max_label", "unit")
OPTIONS = "options"
#: The therapist's note beside an answer given in another language.
ANSWERED_IN = {"es": N_("Answered in Spanish")}


def translation_languages() -> list[str]:
    """The languages an exercise can be translated into (every one but the source)."""
    return [code for code in LANGUAGES if code != SOURCE]


# -- checking a translation (the library loader) ---------------------------------------------


def translation_problems(translations: Any, prompts: Any) -> list[str]:
    """Every problem with an exercise's ``translations`` table, for the library file's author.

    A translated exercise is complete: its title, summary and instructions, and every prompt with
    each text the English prompt has (options: the same number, in the same order). Unknown
    languages and keys are refused, naming where they are.
    """
    if not isinstance(translations, Mapping):
        return ["'translations' must be a table per language, e.g. [translations.es]"]
    known = translation_languages()
    problems: list[str] = []
    for code, table in translations.items():
        where = f"translations.{code}"
        if code not in known:
            problems.append(f"{where}: unknown language {code!r} (known: {', '.join(known)})")
            continue
        if not isinstance(table, Mapping):
            problems.append(f"{where} must be a table")
            continue
        unknown = sorted(set(table) - {*EXERCISE_KEYS, "prompts"})
        if unknown:
            problems.append(f"{where}: unknown key(s): {', '.join(unknown)}")
        problems.extend(
            f"{where}.{name}: missing or empty"
            for name in EXERCISE_KEYS
            if not _is_text(table.get(name))
        )
        problems.extend(_prompts_problems(where, table.get("prompts"), prompts))
    return problems


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _source_prompts(prompts: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(prompts, Sequence) or isinstance(prompts, str):
        return {}
    return {
        p["key"]: p for p in prompts if isinstance(p, Mapping) and isinstance(p.get("key"), str)
    }


def _prompts_problems(where: str, given: Any, prompts: Any) -> list[str]:
    where = f"{where}.prompts"
    if not isinstance(given, Mapping):
        return [f"{where}: missing; every prompt needs its translation ([{where}.<key>])"]
    source = _source_prompts(prompts)
    problems: list[str] = []
    missing = [key for key in source if key not in given]
    if missing:
        problems.append(f"{where}: no translation for prompt(s): {', '.join(missing)}")
    unknown = sorted(set(given) - set(source))
    if unknown:
        problems.append(f"{where}: unknown prompt key(s): {', '.join(unknown)}")
    for key, table in given.items():
        if key in source:
            problems.extend(_prompt_problems(f"{where}.{key}", table, source[key]))
    if not problems:  # the translated prompts must pass the same checks (e.g. label length)
        localised = [_localised(p, given[k]) for k, p in source.items()]
        problems.extend(f"{where}: {problem}" for problem in validate_prompts(localised))
    return problems


def _prompt_problems(where: str, table: Any, source: Mapping[str, Any]) -> list[str]:
    if not isinstance(table, Mapping):
        return [f"{where} must be a table"]
    expected = [name for name in PROMPT_KEYS if name == "label" or name in source]
    allowed = {*expected, *([OPTIONS] if OPTIONS in source else [])}
    problems: list[str] = []
    unknown = sorted(set(table) - allowed)
    if unknown:
        problems.append(
            f"{where}: unknown key(s): {', '.join(unknown)} "
            f"(this prompt translates: {', '.join(sorted(allowed))})"
        )
    problems.extend(
        f"{where}.{name}: missing or empty" for name in expected if not _is_text(table.get(name))
    )
    if OPTIONS in source:
        options = table.get(OPTIONS)
        count = len(source[OPTIONS])
        if not isinstance(options, list) or not all(_is_text(o) for o in options):
            problems.append(f"{where}.options: must be a list of {count} texts")
        elif len(options) != count:
            problems.append(
                f"{where}.options: {len(options)} given, but the English prompt has {count}"
            )
        elif len({o.strip().casefold() for o in options}) != count:
            problems.append(f"{where}.options: two options have the same text")
    return problems


def normalised(translations: Mapping[str, Any] | None) -> dict[str, Any]:
    """A checked ``translations`` table as stored with a version (texts stripped)."""

    def strip(value: Any) -> Any:
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, Mapping):
            return {k: strip(v) for k, v in value.items()}
        return value

    return strip(dict(translations or {}))


# -- reading an exercise in a language -------------------------------------------------------


def _localised(defn: Mapping[str, Any], table: Mapping[str, Any] | None) -> dict[str, Any]:
    """A prompt definition with its partner-facing text in the translation (options stay)."""
    local = dict(defn)
    for name in PROMPT_KEYS:
        if name in defn and table and _is_text(table.get(name)):
            local[name] = table[name]
    return local


@dataclass(frozen=True)
class Shown:
    """How one prompt's answer reads in a language: like its prompt type's ``display``, with
    a choice answer (stored in English) shown as its translated label."""

    prompt_type: Any
    labels: Mapping[str, str]

    def display(self, defn: Mapping[str, Any], value: Any) -> str:
        if isinstance(value, str):
            value = self.labels.get(value, value)
        elif isinstance(value, list):
            value = [self.labels.get(v, v) if isinstance(v, str) else v for v in value]
        return self.prompt_type.display(defn, value)


@dataclass(frozen=True)
class ExerciseText:
    """What a partner reads of one exercise version, in one language."""

    language: str
    title: str
    summary: str
    instructions: str
    #: The version's prompt definitions with their text in this language; options stay the
    #: English (stored) values, see `option_labels`.
    prompts: list[dict[str, Any]]
    #: Per prompt key: English option -> the label shown.
    option_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def translated(self) -> bool:
        return self.language != SOURCE

    def shown(self, defn: Mapping[str, Any]) -> Shown:
        """What displays this prompt's answers in this language (``.display(defn, value)``)."""
        return Shown(prompt_type_for(defn), self.option_labels.get(defn["key"], {}))

    def display(self, defn: Mapping[str, Any], value: Any) -> str:
        """Plain text of one answer in this language (PDF copies, the answer page)."""
        return self.shown(defn).display(defn, value)

    def label_choices(self, form: Any) -> Any:
        """Show the translated option labels in an answer form; the values stay English."""
        for defn in self.prompts:
            labels = self.option_labels.get(defn["key"])
            if labels and field_name(defn) in form:
                form[field_name(defn)].choices = [
                    SelectChoice(option, labels.get(option, option))
                    for option in defn.get(OPTIONS) or []
                ]
        return form


def in_language(version: Any, language: str) -> ExerciseText:
    """The version's text in ``language``, or in English when it has no such translation."""
    table = (getattr(version, "translations", None) or {}).get(language)
    if language == SOURCE or not isinstance(table, Mapping):
        return ExerciseText(
            SOURCE, version.title, version.summary, version.instructions, list(version.prompts)
        )
    given = table.get("prompts") or {}
    prompts = [_localised(defn, given.get(defn["key"])) for defn in version.prompts]
    labels = {}
    for defn in version.prompts:
        options = (given.get(defn["key"]) or {}).get(OPTIONS)
        if defn.get(OPTIONS) and isinstance(options, list) and len(options) == len(defn[OPTIONS]):
            labels[defn["key"]] = dict(zip(defn[OPTIONS], options, strict=True))
    return ExerciseText(
        language,
        table.get("title") or version.title,
        table.get("summary") or version.summary,
        table.get("instructions") or version.instructions,
        prompts,
        labels,
    )


def language_of(person: Any) -> str:
    """The person's chosen language (English when they have none, or an unknown one)."""
    locale = getattr(person, "locale", None)
    return locale if locale in LANGUAGES else SOURCE


def for_person(version: Any, person: Any) -> ExerciseText:
    """The version's text as ``person`` reads it: their language's translation, else English."""
    return in_language(version, language_of(person))


def title_for(version: Any, language: str) -> str:
    """Just the title in ``language`` (lists of homework)."""
    table = (getattr(version, "translations", None) or {}).get(language)
    if language != SOURCE and isinstance(table, Mapping) and _is_text(table.get("title")):
        return table["title"]
    return version.title


def answered_in(version: Any, person: Any) -> str | None:
    """ "Answered in Spanish" (translated for the reader) when ``person`` reads this version in
    a language other than English; None when they read it in English."""
    language = language_of(person)
    if language == SOURCE or language not in (getattr(version, "translations", None) or {}):
        return None
    note = ANSWERED_IN.get(language)
    return gettext(note) if note else None
