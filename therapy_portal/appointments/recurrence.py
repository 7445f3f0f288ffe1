"""When a series' sessions fall: made in the practice's local time, then converted to UTC.

A weekly session at 17:00 stays at 17:00 local across daylight-saving changes, so its UTC time
moves by an hour twice a year. A local time that does not exist on one date (inside the spring
gap, e.g. 02:30 on the second Sunday of March in New York) is read with the offset before the
change, which lands it the length of the gap later (03:30); a repeated time in the autumn is
the first of the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The longest series made at once: a year of weekly sessions.
MAX_SESSIONS = 52


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a date in `zone`."""
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).astimezone(UTC)


def local_dates(
    first: date, every_weeks: int, *, ends_on: date | None, count: int | None
) -> list[date]:
    """The dates of a series: every `every_weeks` weeks from `first`, up to `ends_on` (included)
    or `count` sessions. At most MAX_SESSIONS + 1 dates are made, enough to tell "too many"."""
    step = timedelta(weeks=every_weeks)
    limit = MAX_SESSIONS + 1 if count is None else min(count, MAX_SESSIONS + 1)
    days: list[date] = []
    day = first
    while len(days) < limit and (ends_on is None or day <= ends_on):
        days.append(day)
        day += step
    return days


def series_starts(
    first: date,
    at: time,
    zone: ZoneInfo,
    every_weeks: int,
    *,
    ends_on: date | None,
    count: int | None,
) -> list[datetime]:
    """The UTC starts of a series whose local time is `at` on each of its dates."""
    return [
        to_utc(day, at, zone)
        for day in local_dates(first, every_weeks, ends_on=ends_on, count=count)
    ]
