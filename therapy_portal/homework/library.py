"""The built-in exercise library: one TOML file per template in ``homework/library/``.

Templates are package data, read with ``importlib.resources`` so they are found from a source
checkout, an installed wheel or a zip. Every file is checked on load; a bad file raises
``LibraryError`` (a ``ValueError``) naming the file and the problem. Stricter than the exercise
builder: a shipped exercise must cite its evidence (a reference with a year) and state every
prompt's visibility rather than fall back to the default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from therapy_portal.homework.exercise_text import normalised, translation_problems
from therapy_portal.homework.prompts import validate_prompts
from therapy_portal.models.vocabulary import CADENCES, MODES, Mode, Visibility

FAMILIES: dict[str, str] = {
    "reminisce": "Reminisce",
    "gratitude": "Gratitude & affection",
    "time_apart": "Spend time apart",
    "communicate": "Communicate openly",
    "grow_together": "Grow together",
    "spontaneity": "Inject spontaneity",
    "values": "Values & life goals",
    "intimacy": "Physical affection & intimacy",
}
#: One sentence per family, shown when a therapist filters the library by it.
FAMILY_DESCRIPTIONS: dict[str, str] = {
    "reminisce": "Recalling and retelling shared memories that still matter to both partners.",
    "gratitude": "Noticing, thanking and praising each other, and learning how each likes to "
    "receive affection.",
    "time_apart": "Time for each partner's own interests and friends, brought back to the "
    "relationship.",
    "communicate": "Gentle start-ups, listening to understand, and responding well to good news.",
    "grow_together": "New experiences, projects and friends as a couple (self-expansion).",
    "spontaneity": "Small unexpected gestures, notes and surprises.",
    "values": "Mapping where the partners' habits, values and life goals meet or differ, and "
    "what each needs.",
    "intimacy": "Touch, closeness, flirtation and desire in whatever forms suit the couple, "
    "sexual or not; answers are private by default.",
}

LIBRARY_PACKAGE = "therapy_portal.homework"
LIBRARY_DIR = "library"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_TEXT_FIELDS = (
    "slug",
    "family",
    "title",
    "summary",
    "instructions",
    "default_mode",
    "default_cadence",
    "rationale",
    "reference",
    "therapist_looks_for",
)
_REQUIRED = frozenset({*_TEXT_FIELDS, "suggested_duration_days", "prompts"})
_OPTIONAL = frozenset({"caution"})
#: Optional: ``[translations.<language>]`` tables (see `exercise_text`).
_TRANSLATIONS = "translations"
_MAX_SUMMARY = 160
_MAX_DURATION_DAYS = 90
#: A citation carries its year in brackets, e.g. "Aron, A., ... (2000). Title. Journal."
_CITED_YEAR = re.compile(r"\((?:19|20)\d\d[a-z]?\)")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


class LibraryError(ValueError):
    """A built-in exercise file that cannot be loaded; the message names the file and field."""


@dataclass(frozen=True)
class BuiltinTemplate:
    """One built-in exercise template, as shipped with the package."""

    slug: str
    family: str
    title: str
    summary: str
    instructions: str
    default_mode: str
    default_cadence: str
    suggested_duration_days: int
    rationale: str
    reference: str
    therapist_looks_for: str
    prompts: tuple[dict[str, Any], ...]
    #: Clinical caution shown to the therapist before assigning (empty when none).
    caution: str = ""
    #: ``{language: {...}}``, checked and complete (empty when the file has none).
    translations: dict[str, Any] = field(default_factory=dict)

    @property
    def family_label(self) -> str:
        """The family's human label, e.g. "Gratitude & affection"."""
        return FAMILIES[self.family]


def _problems(data: Mapping[str, Any], stem: str) -> list[str]:
    """Every problem with one parsed template file."""
    problems: list[str] = []
    missing = sorted(_REQUIRED - set(data))
    if missing:
        problems.append("missing key(s): " + ", ".join(missing))
    unknown = sorted(set(data) - _REQUIRED - _OPTIONAL - {_TRANSLATIONS})
    if unknown:
        problems.append("unknown key(s): " + ", ".join(unknown))
    for name in (*_TEXT_FIELDS, *_OPTIONAL):
        if name in data and (not isinstance(data[name], str) or not data[name].strip()):
            problems.append(f"{name!r} must be non-empty text")
    slug = data.get("slug")
    if isinstance(slug, str) and (not SLUG_PATTERN.match(slug) or slug != stem):
        problems.append(f"slug {slug!r} must be lowercase-with-hyphens and match the file name")
    if "family" in data and data["family"] not in FAMILIES:
        problems.append(f"family must be one of: {', '.join(FAMILIES)}")
    if "default_mode" in data and data["default_mode"] not in MODES:
        problems.append(f"default_mode must be one of: {', '.join(MODES)}")
    if "default_cadence" in data and data["default_cadence"] not in CADENCES:
        problems.append(f"default_cadence must be one of: {', '.join(CADENCES)}")
    summary = data.get("summary")
    if isinstance(summary, str) and ("\n" in summary.strip() or len(summary) > _MAX_SUMMARY):
        problems.append(f"summary must be one line of at most {_MAX_SUMMARY} characters")
    days = data.get("suggested_duration_days")
    if "suggested_duration_days" in data and (
        not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= _MAX_DURATION_DAYS
    ):
        problems.append(
            f"suggested_duration_days must be a whole number from 1 to {_MAX_DURATION_DAYS}"
        )
    reference = data.get("reference")
    if isinstance(reference, str) and reference.strip() and not _CITED_YEAR.search(reference):
        problems.append(
            "'reference' must cite at least one source with its year, "
            "e.g. 'Author, A. (2000). Title. Journal.'"
        )
    if "prompts" in data:
        problems.extend(validate_prompts(data["prompts"]))
        problems.extend(_unstated_visibility(data["prompts"]))
        if data.get("default_mode") == Mode.JOINT and isinstance(data["prompts"], list):
            problems.extend(
                f"prompt {p.get('key')!r}: a joint template cannot wait for both partners"
                for p in data["prompts"]
                if isinstance(p, Mapping) and p.get("visibility") == Visibility.SHARED_AFTER_BOTH
            )
    if _TRANSLATIONS in data:
        problems.extend(translation_problems(data[_TRANSLATIONS], data.get("prompts")))
    return problems


def _unstated_visibility(prompts: Any) -> list[str]:
    """A shipped prompt must say who reads its answer, not rely on the builder's default."""
    if not isinstance(prompts, list):
        return []
    return [
        f"Prompt {position} ({defn.get('key')!r}): 'visibility' must be stated "
        f"(one of: {', '.join(Visibility)})."
        for position, defn in enumerate(prompts, start=1)
        if isinstance(defn, Mapping) and "visibility" not in defn
    ]


def _duplicate_key(text: str) -> str | None:
    """Where a key is set twice in one table, for a clearer message than the TOML parser's."""
    seen: set[str] = set()
    table = "the top level"
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            in_string = line.count('"""') % 2 == 0
            continue
        stripped = line.strip()
        if stripped.startswith("["):
            seen, table = set(), stripped
            continue
        match = _KEY_LINE.match(line)
        if match:
            if match.group(1) in seen:
                return f"key {match.group(1)!r} is set twice in {table} (line {number})"
            seen.add(match.group(1))
        in_string = line.count('"""') % 2 == 1
    return None


def parse_template(text: str, filename: str) -> BuiltinTemplate:
    """Parse and check one template file's TOML text; ``LibraryError`` names the file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        duplicate = _duplicate_key(text)
        if duplicate:
            raise LibraryError(f"{filename}: {duplicate}") from exc
        raise LibraryError(f"{filename}: not valid TOML ({exc})") from exc
    stem = filename.removesuffix(".toml")
    problems = _problems(data, stem)
    if problems:
        raise LibraryError(f"{filename}: " + "; ".join(problems))
    return BuiltinTemplate(
        **{name: data[name].strip() for name in _TEXT_FIELDS},
        suggested_duration_days=data["suggested_duration_days"],
        prompts=tuple(dict(p) for p in data["prompts"]),
        caution=data.get("caution", "").strip(),
        translations=normalised(data.get(_TRANSLATIONS)),
    )


def _library_files() -> list[Traversable]:
    folder = files(LIBRARY_PACKAGE).joinpath(LIBRARY_DIR)
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )


def load_builtin_templates() -> list[BuiltinTemplate]:
    """Every built-in template, checked, ordered by family (as in ``FAMILIES``) then title.

    Raises ``LibraryError`` naming the file for any invalid template (slugs are unique because each
    must match its file name). Each call returns fresh objects, so callers may change them.
    """
    templates = [
        parse_template(entry.read_text(encoding="utf-8"), entry.name) for entry in _library_files()
    ]
    if not templates:
        raise LibraryError(f"No built-in templates found in {LIBRARY_PACKAGE}/{LIBRARY_DIR}")
    order = list(FAMILIES)
    return sorted(templates, key=lambda t: (order.index(t.family), t.title.casefold()))


def get_builtin_template(slug: str) -> BuiltinTemplate:
    """The built-in template with this slug; ``KeyError`` if there is none."""
    for template in load_builtin_templates():
        if template.slug == slug:
            return template
    raise KeyError(slug)
