"""The built-in exercise library: one TOML file per template in ``homework/library/``.

Templates are package data, read with ``importlib.resources`` so they are found from a source
checkout, an installed wheel or a zip. Every file is checked on load; a bad file raises
``ValueError`` naming the file and the problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from therapy_portal.homework.prompts import CADENCES, MODES, validate_prompts

FAMILIES: dict[str, str] = {
    "reminisce": "Reminisce",
    "gratitude": "Gratitude & affection",
    "time_apart": "Spend time apart",
    "communicate": "Communicate openly",
    "grow_together": "Grow together",
    "spontaneity": "Inject spontaneity",
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
_MAX_SUMMARY = 160
_MAX_DURATION_DAYS = 90


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
    unknown = sorted(set(data) - _REQUIRED - _OPTIONAL)
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
    if "prompts" in data:
        problems.extend(validate_prompts(data["prompts"]))
        if data.get("default_mode") == "joint" and isinstance(data["prompts"], list):
            problems.extend(
                f"prompt {p.get('key')!r}: a joint template cannot wait for both partners"
                for p in data["prompts"]
                if isinstance(p, Mapping) and p.get("visibility") == "shared_after_both"
            )
    return problems


def parse_template(text: str, filename: str) -> BuiltinTemplate:
    """Parse and check one template file's TOML text; ``ValueError`` names the file on failure."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{filename}: not valid TOML ({exc})") from exc
    stem = filename.removesuffix(".toml")
    problems = _problems(data, stem)
    if problems:
        raise ValueError(f"{filename}: " + "; ".join(problems))
    return BuiltinTemplate(
        **{name: data[name].strip() for name in _TEXT_FIELDS},
        suggested_duration_days=data["suggested_duration_days"],
        prompts=tuple(dict(p) for p in data["prompts"]),
        caution=data.get("caution", "").strip(),
    )


def _library_files() -> list[Traversable]:
    folder = files(LIBRARY_PACKAGE).joinpath(LIBRARY_DIR)
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )


def load_builtin_templates() -> list[BuiltinTemplate]:
    """Every built-in template, checked, ordered by family (as in ``FAMILIES``) then title.

    Raises ``ValueError`` naming the file for any invalid template (slugs are unique because each
    must match its file name). Each call returns fresh objects, so callers may change them.
    """
    templates = [
        parse_template(entry.read_text(encoding="utf-8"), entry.name) for entry in _library_files()
    ]
    if not templates:
        raise ValueError(f"No built-in templates found in {LIBRARY_PACKAGE}/{LIBRARY_DIR}")
    order = list(FAMILIES)
    return sorted(templates, key=lambda t: (order.index(t.family), t.title.casefold()))


def get_builtin_template(slug: str) -> BuiltinTemplate:
    """The built-in template with this slug; ``KeyError`` if there is none."""
    for template in load_builtin_templates():
        if template.slug == slug:
            return template
    raise KeyError(slug)
