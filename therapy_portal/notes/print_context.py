"""A session note as the plain values its print template shows (no ORM objects, no request).

The same values feed the note's PDF and the therapist's preview of a partner's copy; a records
copy's `CopyRule` (`therapy_portal.policy.partner_copy`) decides which parts they carry.
"""

from __future__ import annotations

from collections.abc import Sequence

from therapy_portal.measures.note_charts import NoteChart
from therapy_portal.models import Practice
from therapy_portal.models.note_formats import (
    ATTENDEES,
    FIELD_PARTS,
    FORMATS,
    MODALITIES,
    SERVICE_CODES,
)
from therapy_portal.models.notes import NoteStatus, SessionNote
from therapy_portal.notes import signing
from therapy_portal.policy import partner_copy
from therapy_portal.policy.partner_copy import CopyRule, section_part
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates

CONFIDENTIAL = (
    "Confidential health information. It may be disclosed only as the law allows or with the "
    "written authorization of the people it concerns. If you received it in error, destroy it "
    "and tell the practice."
)


def _time(value) -> str:
    return dates.clock(value) if value else "not recorded"


def _minutes(note: SessionNote) -> int | None:
    if not (note.start_time and note.end_time):
        return None
    return (note.end_time.hour * 60 + note.end_time.minute) - (
        note.start_time.hour * 60 + note.start_time.minute
    )


def _addendum(a, tz, rule: CopyRule | None) -> dict:
    part = partner_copy.addendum_part(a.position)
    return {
        "position": a.position,
        "kind": a.kind.replace("_", " ").capitalize(),
        "reason": partner_copy.carried(rule, part, a.reason),
        "body": partner_copy.carried(rule, part, a.body),
        "left_out": partner_copy.left_out(rule, part),
        "author": a.author_name,
        "credentials": a.author_credentials,
        "at": dates.when(a.created_at, tz, with_zone=True),
    }


def _sections(note: SessionNote, rule: CopyRule | None) -> list[dict]:
    texts = note.sections or {}
    return [
        {
            "title": s.title,
            "guidance": s.guidance,
            "text": partner_copy.carried(rule, section_part(s.key), texts.get(s.key, "")),
            "left_out": partner_copy.left_out(rule, section_part(s.key)),
        }
        for s in FORMATS[note.format].sections
    ]


def _facts(note: SessionNote) -> dict:
    return {
        "id": note.id,
        "signed": note.status == NoteStatus.SIGNED,
        "format_name": FORMATS[note.format].name,
        "session_date": dates.day(note.session_date),
        "start": _time(note.start_time),
        "end": _time(note.end_time),
        "minutes": _minutes(note),
        "attendees": ATTENDEES[note.attendees],
        "service_code": SERVICE_CODES[note.service_code],
        "modality": MODALITIES[note.modality],
    }


def _signature(note: SessionNote, tz) -> dict | None:
    if not note.signed_at:
        return None
    return {
        "name": note.signer_name,
        "credentials": note.signer_credentials,
        "at": dates.when(note.signed_at, tz, with_zone=True),
        "hash": note.signature,
    }


def note_context(
    note: SessionNote,
    integrity: signing.Integrity,
    practice: Practice,
    couple_name: str,
    charts: Sequence[NoteChart] = (),
    *,
    rule: CopyRule | None = None,
    cosignature: dict | None = None,
) -> dict:
    """Everything the print template shows, as plain values (chart bytes go as assets).

    ``rule`` (a records copy) says which parts the copy carries; a part it leaves out keeps its
    heading, with the reason instead of the text (`therapy_portal.policy.partner_copy`).
    """
    tz = practice_zone(practice.timezone)
    fields = {p.key: getattr(note, p.key) for p in FIELD_PARTS}
    withheld = {key: reason for key in fields if (reason := partner_copy.left_out(rule, key))}
    return {
        "practice": {
            "name": practice.name,
            "address": practice.address,
            "phone": practice.phone,
            "paper_size": practice.paper_size,
        },
        "couple_name": couple_name,
        "note": {
            **_facts(note),
            **{key: partner_copy.carried(rule, key, text) for key, text in fields.items()},
            "left_out": withheld,
        },
        "sections": _sections(note, rule),
        "addenda": [_addendum(a, tz, rule) for a in note.addenda],
        "signature": _signature(note, tz),
        "cosignature": cosignature,
        "integrity": {
            "checked": integrity.checked,
            "ok": integrity.ok,
            "problems": list(integrity.problems),
        },
        "charts": [
            {"title": c.title, "asset_name": c.asset_name, "alt": c.alt, "summary": c.summary}
            for c in charts
        ],
        "confidential": CONFIDENTIAL,
    }
