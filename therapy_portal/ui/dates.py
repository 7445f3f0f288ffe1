"""The portal's one date format, in the practice's zone.

A day reads "Tue 1 Dec 2026"; a moment reads "1 Dec 2026, 14:30" (practice time). ISO dates stay
only in machine-readable places: ``datetime=`` attributes, form values and addresses.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_login import current_user

from therapy_portal.timezones import practice_zone

DAY = "%a %-d %b %Y"
MOMENT = "%-d %b %Y, %H:%M"


def _zone_name() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.practice.timezone
    return current_app.config["PRACTICE_TIMEZONE_DEFAULT"]


def local(value: datetime) -> datetime:
    """A stored UTC moment in the practice's zone (naive values are taken as UTC)."""
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.astimezone(practice_zone(_zone_name()))


def day(value: date | datetime | None) -> str:
    """'Tue 1 Dec 2026'; a moment is first moved into the practice's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime(DAY)


def when(value: datetime | None) -> str:
    """'1 Dec 2026, 14:30' in the practice's zone."""
    if value is None:
        return ""
    return local(value).strftime(MOMENT)
