"""One date format (issue 15): every date a person reads goes through ui.dates.

Static checks: no template prints a date with `isoformat()`/`strftime()` or bare
(`{{ x.signed_on }}`) outside machine-readable places (a `datetime=` or `value=` attribute,
an address); no display code formats one itself. Then the filters, in English and Spanish.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

from flask_babel import force_locale

from therapy_portal.ui import dates

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "therapy_portal"

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
_FORMATTED = re.compile(r"\.(isoformat|strftime)\(|\|local_time\(")
# A bare attribute that holds a date or a moment, printed as it is.
_BARE = re.compile(r"^\s*[\w.]+(_at|_on|_date|_time)\s*$")
# Where a raw ISO value belongs: attributes and addresses read by machines.
_MACHINE = re.compile(r"(datetime|value|data-[\w-]+|min|max)=\"$")
# `{% trans name=expression, … %}…{{ name }}…{% endtrans %}`: the body prints the names; the
# expressions (checked like any printed expression) are where a date filter belongs.
_TRANS = re.compile(r"\{%-?\s*trans\b(.*?)-?%\}(.*?)\{%-?\s*endtrans\s*-?%\}", re.S)
_TRANS_VALUE = re.compile(r"(\w+)\s*=\s*((?:[^,()]|\([^()]*\))+)")
# The developer's mailbox shows the outbox's own timestamp (development only).
TEMPLATES_ALLOWED = {"devmail/mailbox.html"}

# Python that writes dates for machines (FHIR, CSV, hashes, dedupe keys, form values, parsing).
PYTHON_ALLOWED = {
    "ui/dates.py",
    "web.py",  # local_time's strftime branch, for machine text only
    "admin/audit_view.py",  # CSV export
    "audit_chain.py",
    "auth/flow.py",
    "caseload/care_team.py",
    "devmail/store.py",
    "signatures.py",
    "messages/notify.py",
    "measures/fhir.py",
    "notes/fhir_bundle.py",
    "homework/fhir.py",
    "homework/demo.py",
    "homework/prompt_types/date.py",  # the stored answer is an ISO date; display uses ui.dates
    "homework/views_partner.py",  # saved_at for the autosave script
    "measures/progress.py",  # period keys are ISO dates; shown through `day`
}


def _printed(text: str):
    """(offset, expression) of everything a template prints: each `{{ … }}` outside trans
    blocks and each value given to a trans block."""
    blocks = [(m.start(), m.end()) for m in _TRANS.finditer(text)]
    for match in _EXPRESSION.finditer(text):
        if not any(start <= match.start() < end for start, end in blocks):
            yield match.start(), match.group(1)
    for match in _TRANS.finditer(text):
        for value in _TRANS_VALUE.finditer(match.group(1)):
            yield match.start(), value.group(2)


def _template_problems(root: Path = TEMPLATES) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name in TEMPLATES_ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        for start, expression in _printed(text):
            before = text[max(0, start - 40) : start]
            machine = _MACHINE.search(before) or "url_for(" in expression
            line = text.count("\n", 0, start) + 1
            if _FORMATTED.search(expression) and not machine:
                problems.append(f"{name}:{line}: {{{{{expression.strip()}}}}}")
            elif _BARE.match(expression) and not machine and not name.startswith("pdf/"):
                # (print templates get values already written by their print context)
                problems.append(f"{name}:{line}: {{{{{expression.strip()}}}}} (no date filter)")
    return problems


def test_a_date_given_to_a_trans_block_is_checked_too(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "{% trans when=x.signed_at|when %}Signed {{ when }}{% endtrans %}\n"
        "{% trans signed=x.signed_at, who=x.name %}Signed {{ signed }} by {{ who }}{% endtrans %}"
    )
    assert _template_problems(tmp_path) == ["page.html:2: {{x.signed_at}} (no date filter)"]


def test_templates_print_dates_only_through_the_date_filters():
    problems = _template_problems()
    assert not problems, "use |day, |when, |clock or |local_time:\n" + "\n".join(problems)


def test_display_code_formats_no_date_itself():
    pattern = re.compile(r"\.(isoformat|strftime)\(")
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name in PYTHON_ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "fromisoformat" not in line:
                problems.append(f"{name}:{number}: {line.strip()}")
    assert not problems, "format dates with therapy_portal.ui.dates:\n" + "\n".join(problems)


def test_the_filters_write_one_format_in_the_practice_zone(app):
    moment = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)  # 14:30 in New York
    with app.test_request_context():
        zone = "America/New_York"
        assert dates.day(date(2026, 12, 1)) == "Tue 1 Dec 2026"
        assert dates.day("2026-12-01") == "Tue 1 Dec 2026"
        assert dates.when(moment, zone) == "1 Dec 2026, 14:30"
        assert dates.when(moment, zone, with_zone=True) == "1 Dec 2026, 14:30 EST"
        assert dates.clock(moment, zone) == "14:30"
        assert dates.clock(time(9, 5)) == "09:05"
        assert dates.day_month(date(2026, 12, 1)) == "1 Dec"
        assert dates.day(None) == dates.when(None) == dates.clock(None) == ""


def test_dates_follow_the_language(app):
    with app.test_request_context(), force_locale("es"):
        assert dates.day(date(2026, 12, 1)) == "mar 1 dic 2026"
        assert dates.language() == "es"
