"""The portal's one date format, in the practice's zone and the reader's language.

A day reads "Tue 1 Dec 2026" ("mar 1 dic 2026" in Spanish); a moment reads "1 Dec 2026, 14:30"
(practice time). Names of days and months come from Babel (CLDR) for the current language
(`therapy_portal.i18n`), so an email or PDF rendered inside `for_person` follows its reader. ISO
dates stay only in machine-readable places: ``datetime=`` attributes, form values and addresses.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import current_app, has_request_context
from flask_login import current_user

from therapy_portal.i18n import current_language
from therapy_portal.timezones import practice_zone

# The English formats as strftime patterns (for code that formats without a language).
DAY = "%a %-d %b %Y"
MOMENT = "%-d %b %Y, %H:%M"
# The same, as CLDR patterns (https://unicode.org/reports/tr35/tr35-dates.html), by language.
DAY_PATTERN = {"en": "EEE d MMM y", "es": "EEE d MMM y"}
MOMENT_PATTERN = {"en": "d MMM y, HH:mm", "es": "d MMM y, HH:mm"}
LONG_DAY_PATTERN = {"en": "EEEE d MMMM y", "es": "EEEE, d 'de' MMMM 'de' y"}

# strftime directives the templates use → CLDR fields (for `local_time`'s format argument).
_STRFTIME = {
    "%a": "EEE",
    "%A": "EEEE",
    "%b": "MMM",
    "%B": "MMMM",
    "%d": "dd",
    "%-d": "d",
    "%e": "d",
    "%m": "MM",
    "%-m": "M",
    "%Y": "y",
    "%y": "yy",
    "%H": "HH",
    "%-H": "H",
    "%I": "hh",
    "%-I": "h",
    "%M": "mm",
    "%S": "ss",
    "%p": "a",
    "%Z": "z",
}
_DIRECTIVE = re.compile(r"%-?[a-zA-Z]")
_LETTERS = re.compile(r"[A-Za-z]+")


def cldr_pattern(strftime_format: str) -> str:
    """A strftime format as a CLDR pattern (literal text quoted), e.g. '%-d %b' → "d MMM"."""
    out, last = [], 0
    for match in _DIRECTIVE.finditer(strftime_format):
        out.append(_quote(strftime_format[last : match.start()]))
        out.append(_STRFTIME.get(match.group(), ""))
        last = match.end()
    out.append(_quote(strftime_format[last:]))
    return "".join(out)


def _quote(text: str) -> str:
    text = text.replace("'", "''")
    return _LETTERS.sub(lambda m: f"'{m.group()}'", text)


def _zone_name() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.practice.timezone
    return current_app.config["PRACTICE_TIMEZONE_DEFAULT"]


def local(value: datetime, zone_name: str | None = None) -> datetime:
    """A stored UTC moment in the practice's zone (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(practice_zone(zone_name or _zone_name()))


def day(value: date | datetime | None) -> str:
    """'Tue 1 Dec 2026'; a moment is first moved into the practice's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    language = current_language()
    return format_date(value, DAY_PATTERN[language], locale=language)


def long_day(value: date) -> str:
    """'Tuesday 1 December 2026' / 'martes, 1 de diciembre de 2026' (emails)."""
    language = current_language()
    return format_date(value, LONG_DAY_PATTERN[language], locale=language)


def when(value: datetime | None, zone_name: str | None = None) -> str:
    """'1 Dec 2026, 14:30' in the practice's zone (the viewer's, or `zone_name`)."""
    if value is None:
        return ""
    language = current_language()
    return format_datetime(local(value, zone_name), MOMENT_PATTERN[language], locale=language)


def strftime_local(value: datetime, fmt: str) -> str:
    """`value` (already in its zone) written with a strftime format, in the current language."""
    return format_datetime(value, cldr_pattern(fmt), tzinfo=value.tzinfo, locale=current_language())


def number(value: float | int | None, digits: int | None = None) -> str:
    """1234.5 → '1,234.5' in English, '1.234,5' in Spanish; `digits` fixes the decimals."""
    if value is None:
        return ""
    fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=current_language())
