"""A session note as the plain values its print template shows (no ORM objects, no request).

The same values feed the note's PDF and the therapist's preview of a partner's copy; a records
copy's `CopyRule` (`therapy_portal.policy.partner_copy`) decides which parts they carry.
"""

from __future__ import annotations

from collections.abc import Sequence

from therapy_portal.measures.note_charts import NoteChart
from therapy_portal.models import Practice
from therapy_portal.models.notes import NoteStatus, SessionNote
from therapy_portal.notes import signing
from therapy_portal.notes.formats import ATTENDEES, FIELD_PARTS, FORMATS, MODALITIES, SERVICE_CODES
from therapy_portal.policy import partner_copy
from therapy_portal.policy.partner_copy import CopyRule, section_part
from therapy_portal.timezones import practice_zone

CONFIDENTIAL = (
    "Confidential health information. It may be disclosed only as the law allows or with the "
    "written authorization of the people it concerns. If you received it in error, destroy it "
    "and tell the practice."
)


def _time(value) -> str:
    return value.strftime("%H:%M") if value else "not recorded"


def _minutes(note: SessionNote) -> int | None:
    if not (note.start_time and note.end_time):
        return None
    return (note.end_time.hour * 60 + note.end_time.minute) - (
        note.start_time.hour * 60 + note.start_time.minute
    )


def _addendum(a, tz, rule: CopyRule | None) -> dict:
    left_out = rule.left_out(partner_copy.addendum_part(a.position)) if rule else None
    return {
        "position": a.position,
        "kind": a.kind.replace("_", " ").capitalize(),
        "reason": "" if left_out else a.reason,
        "body": "" if left_out else a.body,
        "left_out": left_out,
        "author": a.author_name,
        "credentials": a.author_credentials,
        "at": a.created_at.astimezone(tz).strftime("%B %-d, %Y at %H:%M %Z"),
    }


def _facts(note: SessionNote) -> dict:
    return {
        "id": note.id,
        "signed": note.status == NoteStatus.SIGNED,
        "format_name": FORMATS[note.format].name,
        "session_date": note.session_date.strftime("%B %-d, %Y"),
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
        "at": note.signed_at.astimezone(tz).strftime("%B %-d, %Y at %H:%M %Z"),
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
) -> dict:
    """Everything the print template shows, as plain values (chart bytes go as assets).

    ``rule`` (a records copy) says which parts the copy carries; a part it leaves out keeps its
    heading, with the reason instead of the text (`therapy_portal.policy.partner_copy`).
    """
    tz = practice_zone(practice.timezone)
    fmt = FORMATS[note.format]
    sections = note.sections or {}

    def left_out(part: str) -> str | None:
        return rule.left_out(part) if rule else None

    fields = {p.key: getattr(note, p.key) for p in FIELD_PARTS}
    withheld = {key: reason for key in fields if (reason := left_out(key))}
    return {
        "practice": {"name": practice.name, "address": practice.address, "phone": practice.phone},
        "couple_name": couple_name,
        "note": {
            **_facts(note),
            **{key: "" if key in withheld else text for key, text in fields.items()},
            "left_out": withheld,
        },
        "sections": [
            {
                "title": s.title,
                "guidance": s.guidance,
                "text": "" if left_out(section_part(s.key)) else sections.get(s.key, ""),
                "left_out": left_out(section_part(s.key)),
            }
            for s in fmt.sections
        ],
        "addenda": [_addendum(a, tz, rule) for a in note.addenda],
        "signature": _signature(note, tz),
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
