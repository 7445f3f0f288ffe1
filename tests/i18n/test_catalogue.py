"""The Spanish catalogue: every message a partner can meet is translated, the compiled .mo says
the same as the .po, nothing is fuzzy, and translations keep their placeholders.

The messages a partner can meet are extracted here, in-process, from the templates and modules
listed in `partner_facing.py`, with the same keywords as `make translations`.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.i18n.partner_facing import MODULES, TEMPLATES
from therapy_portal.settings import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "therapy_portal" / "translations"
PO = CATALOGUE / "es" / "LC_MESSAGES" / "messages.po"
MO = CATALOGUE / "es" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _ids(method: str, path) -> list[str | tuple[str, ...]]:
    options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
    with open(path, "rb") as handle:
        found = extract(method, handle, keywords=KEYWORDS, options=options)
        return [m if isinstance(m, str) else tuple(m) for _line, m, _comments, _ctx in found]


@cache
def catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="es")


def _key(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _strings(message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def _translated(message) -> bool:
    strings = _strings(message)
    return bool(strings) and all(s.strip() for s in strings)


SOURCES = [("jinja2", PROJECT_ROOT / "templates" / t) for t in TEMPLATES] + [
    ("python", PROJECT_ROOT / m) for m in MODULES
]


@pytest.mark.parametrize(("method", "path"), SOURCES, ids=lambda v: str(v).split("/work/")[-1])
def test_every_partner_facing_message_has_a_spanish_translation(method, path):
    po = catalogue()
    missing = []
    for message_id in _ids(method, path):
        entry = po.get(_key(message_id))
        if entry is None or not _translated(entry) or entry.fuzzy:
            missing.append(_key(message_id))
    assert missing == [], "untranslated or missing in es/messages.po (see docs/i18n.md)"


def test_partner_facing_sources_exist():
    assert [str(p) for _, p in SOURCES if not p.exists()] == []


def test_no_fuzzy_entries():
    assert [m.id for m in catalogue() if m.id and m.fuzzy] == []


def test_the_compiled_catalogue_matches_the_po():
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    po_strings = {
        _key(m.id): _strings(m) for m in catalogue() if m.id and _translated(m) and not m.fuzzy
    }
    mo_strings = {_key(m.id): _strings(m) for m in compiled if m.id}
    assert mo_strings == po_strings, "run: pybabel compile -d therapy_portal/translations"


def test_translations_keep_their_placeholders():
    wrong = []
    for message in catalogue():
        if not message.id or not _translated(message):
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - expected or (
                isinstance(message.id, str) and set(PLACEHOLDER.findall(text)) != expected
            ):
                wrong.append(_key(message.id))
    assert wrong == []
