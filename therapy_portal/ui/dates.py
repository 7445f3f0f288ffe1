"""The portal's one date format, in the practice's zone and the reader's language.

A day reads "Tue 1 Dec 2026" ("mar 1 dic 2026" in Spanish); a moment reads "1 Dec 2026, 14:30"
(practice time); a time of day alone reads "14:30"; a column head under a dated title may
read "1 Dec". Every date a person reads goes through
``day``/``when``/``clock``/``day_month`` (template filters of the same names; ``local_time``
is ``when`` with the zone's abbreviation); ISO dates stay only in
machine-readable places: ``datetime=`` attributes, form values, addresses and exports
(tests/core/test_one_date_format.py checks templates and display strings).

The language is the current page's (Flask-Babel), or English outside a request; an email or a PDF
for someone else is rendered inside ``i18n.for_person`` so it follows theirs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from flask import current_app, has_request_context
from flask_login import current_user

from therapy_portal.i18n import get_locale
from therapy_portal.timezones import practice_zone

# CLDR patterns (Babel): weekday, day, month and year, in the reader's language.
DAY = "EEE d MMM y"
MOMENT = "d MMM y, HH:mm"
CLOCK = "HH:mm"
DAY_MONTH = "d MMM"  # the same day without weekday and year: column heads under a dated title


def language() -> str:
    """The current page's language code ("en", "es"): `<html lang>` and every date on it."""
    chosen = get_locale()  # None outside an application context
    return str(chosen) if chosen else "en"


_locale = language


@lru_cache(maxsize=16)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=4096)
def _format_day(value: date, pattern: str, code: str) -> str:
    """A day in a pattern and language: a page lists the same few days many times, and Babel
    works each out afresh (a tenth of Today's CPU before this was remembered)."""
    return format_date(value, pattern, locale=_babel_locale(code))


def _zone_name() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.practice.timezone
    return current_app.config["PRACTICE_TIMEZONE_DEFAULT"]


Zone = str | tzinfo | None


def local(value: datetime, zone: Zone = None) -> datetime:
    """A stored UTC moment in the practice's zone, or `zone` (a name or a tzinfo); naive = UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not isinstance(zone, tzinfo):
        zone = practice_zone(zone or _zone_name())
    return value.astimezone(zone)


def day(value: date | datetime | str | None, zone: Zone = None) -> str:
    """'Tue 1 Dec 2026'; a moment is first moved into the practice's zone. An ISO date string
    (a chart's or a table's period key) is read as that day; other text is returned as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = local(value, zone).date()
    return _format_day(value, DAY, _locale())


def day_month(value: date | None) -> str:
    """'1 Dec': only where the year is already on the page (a table's week columns)."""
    if value is None:
        return ""
    return _format_day(value, DAY_MONTH, _locale())


def period_labels(labels) -> list[str]:
    """A chart's period keys (ISO dates) as days: "1 Dec" when all are in one year, else
    "Tue 1 Dec 2026"; other labels (a chart's blank padding) as they are."""
    days = {}
    for label in labels:
        try:
            days[label] = date.fromisoformat(label)
        except ValueError:
            continue
    short = len({d.year for d in days.values()}) <= 1
    return [
        (day_month(days[label]) if short else day(days[label])) if label in days else label
        for label in labels
    ]


def when(value: datetime | None, zone: Zone = None, *, with_zone: bool = False) -> str:
    """'1 Dec 2026, 14:30' in the practice's zone (with its abbreviation: '… 14:30 EST')."""
    if value is None:
        return ""
    moment = local(value, zone)
    text = format_datetime(moment, MOMENT, locale=_babel_locale(_locale()))
    return f"{text} {moment.tzname()}" if with_zone else text


def clock(value: datetime | time | None, zone: Zone = None) -> str:
    """'14:30': a stored moment in the practice's zone, or a time of day as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, zone).time()
    return format_time(value, CLOCK, locale=_babel_locale(_locale()))


# A long day for sentences (emails): the weekday and month spelled out, by language.
LONG_DAY = {"en": "EEEE d MMMM y", "es": "EEEE, d 'de' MMMM 'de' y"}


def long_day(value: date) -> str:
    """'Tuesday 1 December 2026' / 'martes, 1 de diciembre de 2026' (session reminders)."""
    code = _locale()
    return _format_day(value, LONG_DAY.get(code[:2], LONG_DAY["en"]), code)
