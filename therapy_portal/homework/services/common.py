"""Helpers shared by the homework services: the practice's today, and answer validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework.prompts import (
    FIELD_PREFIX,
    build_answer_form_class,
    collect_answers,
    field_name,
)
from therapy_portal.i18n import gettext, number
from therapy_portal.mail import queue_email_for
from therapy_portal.models import CoupleMember
from therapy_portal.models.homework import Occurrence, Response, ResponseStatus
from therapy_portal.models.vocabulary import Audience
from therapy_portal.timezones import local_today, practice_today  # noqa: F401 (re-exported)

#: The most raw text one draft may hold (all fields together); far above every field's limit,
#: so an over-long answer is still kept as typed and the limit is explained next to the field.
MAX_DRAFT_CHARS = 400_000


def clean_fields(prompts: Sequence[Mapping[str, Any]], raw: Any) -> dict[str, list[str]]:
    """Raw answer input as ``{field name: [values]}``, only for this template's fields.

    Accepts a ``MultiDict`` (a form post) or a mapping of name -> str | list[str] (JSON).
    Names are ``p_<key>`` or, for list prompts, ``p_<key>-<n>``.
    """
    names = {field_name(p) for p in prompts}
    if isinstance(raw, MultiDict):
        items = [(k, raw.getlist(k)) for k in raw]
    elif isinstance(raw, Mapping):
        items = [(k, v if isinstance(v, list) else [v]) for k, v in raw.items()]
    else:
        return {}
    fields: dict[str, list[str]] = {}
    for name, values in items:
        if not isinstance(name, str) or not name.startswith(FIELD_PREFIX):
            continue
        base = name.rsplit("-", 1)[0] if "-" in name else name
        if base not in names and name not in names:
            continue
        kept = [v for v in values if isinstance(v, str)]
        if kept:
            fields[name] = kept
    return fields


def draft_size(fields: Mapping[str, list[str]]) -> int:
    return sum(len(k) + sum(len(v) for v in values) for k, values in fields.items())


def check_draft_size(fields: Mapping[str, list[str]]) -> None:
    """Refuse a draft over `MAX_DRAFT_CHARS` (the page keeps what was typed)."""
    if draft_size(fields) > MAX_DRAFT_CHARS:
        raise ValidationFailed(
            gettext(
                "That is more than the %(limit)s characters one answer can hold.",
                limit=number(MAX_DRAFT_CHARS),
            )
        )


def as_multidict(fields: Mapping[str, list[str]] | None) -> MultiDict:
    return MultiDict([(k, v) for k, values in (fields or {}).items() for v in values])


def validate_answers(
    prompts: Sequence[Mapping[str, Any]], fields: Mapping[str, list[str]]
) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """(cleaned answers, {}) when the input is a valid submission, else (None, field errors)."""
    form = build_answer_form_class(prompts)(as_multidict(fields))
    if not form.validate():
        return None, {name: _flatten(errs) for name, errs in form.errors.items()}
    try:
        return collect_answers(prompts, form), {}
    except ValueError as exc:
        return None, {"": [str(exc)]}


def _flatten(errors: Any) -> list[str]:
    """WTForms nests a FieldList's errors per entry; flatten them to messages."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, Mapping):
        errors = list(errors.values())
    out: list[str] = []
    for item in errors or ():
        out.extend(_flatten(item) if not isinstance(item, str) else [item])
    return out


def raw_text(
    prompts: Sequence[Mapping[str, Any]], fields: Mapping[str, list[str]] | None
) -> dict[str, str]:
    """Raw draft input per prompt key, as plain text (to show a kept copy or a locked draft)."""
    fields = fields or {}
    text: dict[str, str] = {}
    for prompt in prompts:
        name = field_name(prompt)
        values = list(fields.get(name, []))
        n = 0
        while f"{name}-{n}" in fields:
            values.extend(fields[f"{name}-{n}"])
            n += 1
        joined = "\n".join(v for v in values if v and v.strip())
        if joined:
            text[prompt["key"]] = joined
    return text


def notify_partners(
    couple_id: int, practice_id: int, audience: str, subject: str, body: str, *, kind: str, key: str
) -> None:
    """Queue a no-PHI email (with a link to their home page) to the couple's active partners in
    `audience`: "A", "B" or "both", each in their own language (`subject` and `body` are
    catalogue messages; `%(link)s` in the body is the link). The key makes a repeat of the
    same event a no-op."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    members = db.session.scalars(select(CoupleMember).where(CoupleMember.couple_id == couple_id))
    for member in members:
        if audience in (member.label, Audience.BOTH) and member.user.active:
            queue_email_for(
                member.user,
                subject,
                body,
                link=f"{base}/home",
                kind=kind,
                practice_id=practice_id,
                dedupe_key=f"{key}:{member.user_id}",
            )


def refresh_counters(occurrence: Occurrence) -> None:
    """Recount the occurrence's submitted responses and the oldest waiting submission.

    Call it after changing a response's status, in the same transaction. The occurrence row is
    locked first, so when both partners submit at once the second transaction waits, and its
    count (a new snapshot under READ COMMITTED) sees the first one's answer. The lock is
    ``FOR NO KEY UPDATE``: each partner's new response row holds a key-share lock on the
    occurrence (its foreign key), and ``FOR UPDATE`` would deadlock against it.
    """
    db.session.flush()
    db.session.execute(
        select(Occurrence.id).where(Occurrence.id == occurrence.id).with_for_update(key_share=True)
    )
    count, oldest = db.session.execute(
        select(func.count(), func.min(Response.submitted_at)).where(
            Response.occurrence_id == occurrence.id, Response.status == ResponseStatus.SUBMITTED
        )
    ).one()
    occurrence.submitted_count = count
    occurrence.waiting_since = oldest
