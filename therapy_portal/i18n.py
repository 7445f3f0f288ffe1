"""Languages: which one a page, an email or a PDF is written in.

English is the source language; Spanish is the one translation (``therapy_portal/translations``,
built with Babel's ``pybabel``: ``make translations`` extracts, updates and compiles; see
docs/i18n.md). A page's language is, in order: the signed-in person's stored choice
(``User.locale``), the choice made on the anonymous pages' switch (kept in the session), then the
browser's Accept-Language. Emails and PDFs for someone else use ``for_person`` so they follow the
recipient's choice, not the sender's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from babel.numbers import format_decimal
from babel.support import NullTranslations
from flask import Flask, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import force_locale, get_translations
from flask_babel import get_locale as _babel_locale
from flask_babel import refresh as _refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

from therapy_portal.extensions import babel
from therapy_portal.settings import PROJECT_ROOT

DEFAULT = "en"
# Code → the language's own name (what the chooser shows, whatever the page's language).
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
TRANSLATIONS = PROJECT_ROOT / "therapy_portal" / "translations"
SESSION_KEY = "locale"

# Areas import the translation functions from here, not from flask_babel, so the choice stays in
# one place: gettext for text made inside a request, lazy_gettext for module-level text (form
# labels, choices), ngettext for counts, N_ to mark text that is translated later where it is shown.
__all__ = [
    "LANGUAGES",
    "N_",
    "current_language",
    "for_person",
    "get_locale",
    "gettext",
    "is_text",
    "lazy_gettext",
    "lazy_number",
    "ngettext",
    "number",
    "person_language",
    "refresh",
    "select_locale",
]


def N_(text: str) -> str:
    """Mark `text` for the catalogue without translating it here."""
    return text


# The language of the text being written now, read on every translated string (about a hundred a
# page). Flask-Babel looks the request's choice up through several context-local proxies per
# string; this reads the same attributes of `g` once (bench/cpu_page.py: a fifth of Today's CPU
# went to those lookups). The choice itself stays Flask-Babel's: `select_locale` picks it once a
# request, `force_locale` (an email or PDF for someone else) sets it for a block, `refresh`
# forgets it.
_NO_TRANSLATIONS = NullTranslations()


def get_locale() -> Locale | None:
    """The current language as a Babel `Locale` (None outside an application context)."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    state = app_context.g.__dict__.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    return locale if locale is not None else _babel_locale()


def _translations():
    """The catalogue of the current language, remembered beside the language it was found for."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return _NO_TRANSLATIONS
    locale = get_locale()
    state = app_context.g._flask_babel
    found = getattr(state, "tp_catalogue", None)
    if found is None or found[0] is not locale:
        found = state.tp_catalogue = (locale, get_translations())
    return found[1]


def gettext(string: str, **variables) -> str:
    """`string` in the current language, with `%(name)s` placeholders filled from `variables`."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural of a count in the current language; `%(num)s` is the count."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def select_locale() -> str:
    """The language of this request's page: own choice, then the session's, then the browser's."""
    if not has_request_context():
        return DEFAULT
    user = current_user
    if user and user.is_authenticated and user.locale in LANGUAGES:
        return user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT)


def is_text(value: object) -> bool:
    """A message: a plain string or a lazily translated one (form labels, validator messages)."""
    return isinstance(value, str | LazyString)


def current_language() -> str:
    """The code of the language text is being written in now ('en' outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def person_language(person) -> str:
    """The language of what is made for `person` away from their browser (emails, PDFs)."""
    chosen = getattr(person, "locale", None)
    return chosen if chosen in LANGUAGES else DEFAULT


def number(value: float | int | None, digits: int | None = None) -> str:
    """1234.5 → '1,234.5' in English, '1.234,5' in Spanish (the `number` filter); `digits` fixes
    the decimals."""
    if value is None:
        return ""
    fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=get_locale() or DEFAULT)


class LazyText(LazyString):
    """A translation made when shown. Flask-Babel's lazy string declares itself safe HTML
    (`__html__` returns the text as it is), so a label with an apostrophe or a value
    interpolated into it would reach the page unescaped; this one escapes like any string."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    """`gettext` made when the text is shown (form labels, choices, module-level messages)."""
    return LazyText(gettext, string, **variables)


def lazy_number(value: float) -> LazyString:
    """`number` written when shown (for module-level text such as a form's description)."""
    return LazyString(number, value)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    # Each request chooses afresh (an application context kept across requests, as in tests or
    # a worker, must not carry one request's language into the next).
    app.before_request(_refresh)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    # Templates translate through the same short path as the code (`_()`, `{% trans %}`).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _template_gettext


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    """`_()` in templates: what Jinja's newstyle gettext gives (the translation marked safe
    where the template escapes, then always %-formatted with the escaped variables), in one
    call where Jinja's alias makes three through the template context (a layout has two dozen
    `_()`: a tenth of its rendering, bench/cpu_page.py). `{% trans %}` stays Jinja's own."""
    text = _translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue's own text, as Jinja's gettext marks it
    return text % variables


def refresh() -> None:
    """Choose this request's language again (after the person changed it)."""
    _refresh()


@contextmanager
def for_person(person) -> Iterator[None]:
    """Render inside this block in `person`'s language (an email or a PDF made for them)."""
    with force_locale(person_language(person)):
        yield
