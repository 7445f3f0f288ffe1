"""No visible English left unmarked in a partner-facing template (listed in `partner_facing.py`).

A static lint: Jinja comments, `{% trans %}` blocks, `{{ … }}` expressions and `{% … %}` tags are
removed, then every text node and every text-bearing attribute (alt, title, aria-label,
placeholder, value of a button) that still holds a word is reported. A literal text passed to a
macro in an expression (`label='Done pages'`) is reported too. Text that is not language (a
separator, a code) has no letters, or is in `ALLOWED`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.i18n.partner_facing import TEMPLATES
from therapy_portal.settings import PROJECT_ROOT

TEXT_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
# Words that are the same in every language the portal speaks (names, units, codes).
ALLOWED = {"Therapy Portal", "PDF", "OK", "PHQ-9", "GAD-7", "CSI-4", "CSI-16", "RAS", "English"}

_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_TRANS = re.compile(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", re.S)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_TAG = re.compile(r"\{%.*?%\}", re.S)
_WORD = re.compile(r"[A-Za-z]{2,}")
# A literal text handed to a macro or filter for display: label='…', title="…", text='…'.
_LITERAL_ARGUMENT = re.compile(
    r"\b(?:label|title|text|message|button|hint|heading|first_text|previous_text|next_text)"
    r"\s*=\s*(['\"])([^'\"]*[A-Za-z]{2,}[^'\"]*)\1"
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value:
                self._check(value, f"{tag}[{name}]")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self._check(values["value"], "input[value]")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        text = " ".join(text.split())
        if text in ALLOWED or not _WORD.search(text):
            return
        self.found.append(f"{where}: {text}")


def unmarked_text(source: str) -> list[str]:
    """The visible English of a template that is outside `_()` / `{% trans %}`."""
    source = _COMMENT.sub("", source)
    source = _TRANS.sub("", source)
    literal = [
        f"argument: {m.group(2)}"
        for code in _EXPRESSION.findall(source) + _TAG.findall(source)
        for m in _LITERAL_ARGUMENT.finditer(code)
    ]
    source = _EXPRESSION.sub("\u00a7", source)
    source = _TAG.sub("", source)
    parser = _Text()
    parser.feed(source)
    parser.close()
    return literal + parser.found


def test_the_lint_finds_unmarked_text_and_accepts_marked_text():
    assert unmarked_text("<p>Hello there</p>") == ["text: Hello there"]
    assert unmarked_text('<img alt="A photo" src="x">') == ["img[alt]: A photo"]
    assert unmarked_text('<svg aria-label="{{ label }}"></svg>') == []
    assert unmarked_text("{{ pager('x', p, label='Done pages') }}") == ["argument: Done pages"]
    marked = (
        '<p>{{ _("Hello there") }}</p><img alt="{{ _(\'A photo\') }}">'
        "{% trans n=1 %}Hi {{ n }}{% endtrans %}<p>{{ name }} · 12:30 |</p>"
        "<script>var x = 'Not text';</script>{# A comment #}"
        "{{ pager('x', p, label=_('Done pages')) }}"
    )
    assert unmarked_text(marked) == []


@pytest.mark.parametrize("template", TEMPLATES)
def test_partner_facing_template_has_no_unmarked_text(template):
    source = (PROJECT_ROOT / "templates" / template).read_text(encoding="utf-8")
    assert unmarked_text(source) == []
