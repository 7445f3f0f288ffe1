"""Templates' `_()` is the portal's own one-call version of Jinja's newstyle alias: it must give
exactly what Jinja's gives, escaped where the template escapes and plain where it does not."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from jinja2.ext import _gettext_alias

SOURCES = [
    '{{ _("Today") }}',
    '{{ _("Showing %(n)s of %(total)s.", n=n, total=total) }}',
    '{{ _("Hello %(name)s", name=name) }}',
    '{{ _("100%% kept") }}',
    '{{ _("<strong>%(name)s</strong> wrote", name=name) }}',
    '<a title="{{ _("Log out") }}">{{ _("Log out") }}</a>',
]
VALUES = {"n": 3, "total": 7, "name": '<b>Ann & "Bo"</b>'}


def _render(app, source: str, autoescape: bool, alias) -> str:
    env = app.jinja_env.overlay(autoescape=autoescape)
    env.globals["_"] = alias
    return env.from_string(source).render(VALUES)


@pytest.mark.parametrize("autoescape", [True, False], ids=["html", "text"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("source", SOURCES)
def test_the_portals_alias_gives_what_jinjas_gives(app, source, autoescape, language):
    ours = app.jinja_env.globals["_"]
    assert ours is not _gettext_alias
    with app.test_request_context("/"), force_locale(language):
        assert _render(app, source, autoescape, ours) == _render(
            app, source, autoescape, _gettext_alias
        )


def test_a_translation_is_used_and_values_are_escaped_in_html(app):
    with app.test_request_context("/"), force_locale("es"):
        html = _render(
            app,
            '{{ _("Log out") }} {{ _("Hello %(name)s", name=name) }}',
            True,
            app.jinja_env.globals["_"],
        )
    assert html.startswith("Cerrar sesión")
    assert "&lt;b&gt;Ann &amp; &#34;Bo&#34;&lt;/b&gt;" in html and "<b>" not in html
