"""The error summary: one box near the top of the page listing every problem of the forms that
were re-rendered with errors, each linking to its field (or to the form for errors that belong to
no field). The form macro notes each form it draws; ``base.html`` renders the page's content
first, then the summary above it, and ``static/error-summary.js`` moves focus there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g

from therapy_portal.i18n import N_, gettext, is_text

EXPIRED = N_(
    "This form had expired, so nothing was saved yet. Everything you typed is still below: "
    "check it and submit again."
)
_CONTAINERS = ("FormField", "FieldList", "NumberedFieldList")
_CHOICE_GROUPS = ("RadioField", "SelectMultipleField", "MultiCheckboxField")


@dataclass(frozen=True)
class Problem:
    target: str  # the id the link points to
    message: str


def _first_input_id(field: Any) -> str:
    """Radio groups link to their first option: the group's own id is on no focusable element."""
    if field.type in _CHOICE_GROUPS:
        for sub in field:
            return sub.id
    return field.id


def _field_problems(field: Any) -> list[Problem]:
    if field.type in _CONTAINERS:
        own = field.errors if isinstance(field.errors, list) else []
        first = next((sub.id for sub in field), field.id)
        return [Problem(first, str(m)) for m in own if is_text(m)] + [
            p for sub in field for p in _field_problems(sub)
        ]
    if field.type == "CSRFTokenField":
        return []
    messages = [str(m) for m in field.errors if is_text(m)]
    return [Problem(_first_input_id(field), m) for m in messages]


def error_summary_items(form: Any, form_id: str = "") -> list[Problem]:
    """Every problem of ``form``: the expired-form message and form-level errors link to the
    form (``form_id``, or its first field), field errors to their field, in field order."""
    problems = [p for field in form for p in _field_problems(field)]
    first = problems[0].target if problems else next((f.id for f in form if f.id), "")
    anchor = form_id or first or "main"
    general = []
    token = getattr(form, "csrf_token", None)
    if token is not None and token.errors:
        general.append(Problem(anchor, gettext(EXPIRED)))
    general += [Problem(anchor, m) for m in getattr(form, "form_errors", []) or []]
    return general + problems


def note_form(form: Any, form_id: str = "") -> str:
    """Remember ``form``'s problems for the page's summary; returns '' (called from a macro)."""
    items = error_summary_items(form, form_id)
    if items:
        g.setdefault("error_summary", []).extend(items)
    return ""


def note_problem(target: str, message: str) -> str:
    """A problem a template shows outside WTForms (hand-built forms); returns ''."""
    g.setdefault("error_summary", []).append(Problem(target, message))
    return ""


def collected() -> list[Problem]:
    """The problems noted while the page's content was rendered, without repeats."""
    seen: set[Problem] = set()
    unique = []
    for problem in g.get("error_summary", []):
        if problem not in seen:
            seen.add(problem)
            unique.append(problem)
    return unique
