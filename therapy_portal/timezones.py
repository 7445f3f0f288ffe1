"""The practice's clock: times are stored in UTC and shown, and dated, in the practice's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from therapy_portal.models import Practice, User, utcnow


def practice_zone(name: str | None) -> ZoneInfo:
    """The named zone, or UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(timezone: str | None, now: datetime | None = None) -> date:
    """Today's date in a practice's timezone."""
    return (now or utcnow()).astimezone(practice_zone(timezone)).date()


def practice_today(user: User | Practice, now: datetime | None = None) -> date:
    practice = user if isinstance(user, Practice) else user.practice
    return local_today(practice.timezone, now)
