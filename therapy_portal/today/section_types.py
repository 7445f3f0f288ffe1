"""What a Today provider gets (`Day`) and returns (`Section` of `Item`s)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from therapy_portal import prepared
from therapy_portal.models import User
from therapy_portal.ui import dates

SHOWN = 10  # items listed per section; the count is always the whole number


@dataclass(frozen=True)
class Item:
    text: str
    detail: str
    endpoint: str
    params: dict[str, Any]
    flag: str = ""  # a short warning shown beside the item


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    count: int
    items: list[Item]
    empty: str  # what to do next when there is nothing here
    more: tuple[str, str] | None = None  # (endpoint, link text) of the full list
    urgent: bool = False


@dataclass
class Day:
    """What every provider gets: the therapist, now, and reads two providers share."""

    therapist: User
    now: datetime
    _cache: dict[str, Any] = field(default_factory=dict)

    def load(self, reads: dict[str, Callable[[Day], prepared.Read[Any]]]) -> None:
        """Run the providers' reads together (one round trip on PostgreSQL); each provider then
        takes its result with `read(key)`."""
        made = {key: make(self) for key, make in reads.items()}
        self._cache.update(zip(made, prepared.run_together(list(made.values())), strict=True))

    def read(self, key: str) -> Any:
        return self._cache[key]

    def local(self, value: datetime | date, *, moment: bool = False) -> str:
        """A day ("Tue 1 Dec 2026") or, with `moment`, a time ("1 Dec 2026, 14:30") in the
        practice's zone: the portal's one date format (ui.dates)."""
        zone = self.therapist.practice.timezone
        if moment and isinstance(value, datetime):
            return dates.when(value, zone)
        return dates.day(value, zone)
