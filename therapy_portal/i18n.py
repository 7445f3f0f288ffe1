"""Languages: which one a page, an email or a PDF is written in.

English is the source language; Spanish is the one translation (``therapy_portal/translations``,
built with Babel's ``pybabel``: ``make translations`` extracts, updates and compiles). A signed-in
person's own choice (``User.locale``) decides; otherwise the browser's Accept-Language. Emails and
PDFs for someone else use ``for_person`` so they follow the recipient's choice, not the sender's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import numbers as babel_numbers
from flask import Flask, request
from flask_babel import (
    LazyString,
    force_locale,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
)
from flask_login import current_user

from therapy_portal.extensions import babel
from therapy_portal.settings import PROJECT_ROOT

DEFAULT = "en"
# Code → the language's own name (what the chooser shows, whatever the page's language).
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
TRANSLATIONS = PROJECT_ROOT / "therapy_portal" / "translations"

# Areas import the translation functions from here, not from flask_babel, so the choice stays in
# one place: gettext for text made inside a request, lazy_gettext for module-level text (form
# labels, choices), ngettext for counts, N_ to mark text that is translated later where it is shown.
__all__ = [
    "LANGUAGES",
    "N_",
    "current_language",
    "for_person",
    "gettext",
    "lazy_gettext",
    "ngettext",
    "lazy_number",
    "number",
    "select_locale",
]


def N_(text: str) -> str:
    """Mark `text` for the catalogue without translating it here."""
    return text


def select_locale() -> str:
    """The language of this request's page."""
    user = current_user
    if user and user.is_authenticated and user.locale in LANGUAGES:
        return user.locale
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT) if request else DEFAULT


def current_language() -> str:
    """The code of the language text is being written in now ('en' outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def number(value: float) -> str:
    """A number as the current language writes it ("5,000" in English, "5000"/"20.000" in
    Spanish)."""
    return babel_numbers.format_decimal(value, locale=get_locale() or DEFAULT)


def lazy_number(value: float) -> LazyString:
    """`number` written when shown (for module-level text such as a form's description)."""
    return LazyString(number, value)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )


@contextmanager
def for_person(person) -> Iterator[None]:
    """Render inside this block in `person`'s language (an email or a PDF made for them)."""
    with force_locale(person.locale if person.locale in LANGUAGES else DEFAULT):
        yield
