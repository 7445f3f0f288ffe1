"""The *since last session* digest, assembled from providers that other areas register.

A provider is `(couple, since, until) -> list[DigestSection]`; `since` is None before a couple's
first note. Records requests use `record_provider`s, `(couple, partner_label) ->
list[DigestSection]`, where `partner_label` is None for the full record or "A"/"B" for what that
partner may see.

Notes depend on measures, never the other way round: the measures providers below call the
measures area's plain functions (`therapy_portal.measures.digest`), which know nothing of notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from therapy_portal.measures import digest as measures

EMPTY_DIGEST = "Nothing was recorded in the portal since the last session."


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[str] = field(default_factory=list)


DigestProvider = Callable[[Any, datetime | None, datetime], list[DigestSection]]
RecordProvider = Callable[[Any, str | None], list[DigestSection]]

_PROVIDERS: list[DigestProvider] = []
_RECORD_PROVIDERS: list[RecordProvider] = []


def digest_provider(func: DigestProvider) -> DigestProvider:
    """Register a digest provider (idempotent: registering twice keeps one)."""
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def record_provider(func: RecordProvider) -> RecordProvider:
    """Register a provider of records-request sections (e.g. homework)."""
    if func not in _RECORD_PROVIDERS:
        _RECORD_PROVIDERS.append(func)
    return func


def unregister(func: Callable) -> None:
    """Remove a provider (tests)."""
    for registry in (_PROVIDERS, _RECORD_PROVIDERS):
        if func in registry:
            registry.remove(func)


def collect(couple: Any, since: datetime | None, until: datetime) -> list[DigestSection]:
    """Every registered provider's non-empty sections, in registration order."""
    sections: list[DigestSection] = []
    for provider in list(_PROVIDERS):
        sections.extend(s for s in provider(couple, since, until) if s.lines)
    return sections


def collect_record(couple: Any, partner_label: str | None) -> list[DigestSection]:
    sections: list[DigestSection] = []
    for provider in list(_RECORD_PROVIDERS):
        sections.extend(s for s in provider(couple, partner_label) if s.lines)
    return sections


def as_text(sections: list[DigestSection], heading: str) -> str:
    """Plain text the therapist can edit: a heading, then each section with dashed lines."""
    if not sections:
        return f"{heading}\n{EMPTY_DIGEST}"
    parts = [heading]
    for section in sections:
        parts.append(section.title)
        parts.extend(f"- {line}" for line in section.lines)
    return "\n".join(parts)


def measures_digest(couple: Any, since: datetime | None, until: datetime) -> list[DigestSection]:
    """Check-in totals, reliable change and safety alerts in the window."""
    return [
        DigestSection(measures.SECTION_TITLE, measures.measure_changes_since(couple, since, until))
    ]


def measures_record(couple: Any, partner_label: str | None) -> list[DigestSection]:
    """Every check-in total a records copy may carry (one partner's own, or both)."""
    return [DigestSection(measures.SECTION_TITLE, measures.record_lines(couple, partner_label))]
