"""What an export holds, and the therapist's preview of a partner's copy.

One code path builds the documents of an export (its notes, each note's parts under the copy
rule of `therapy_portal.policy.partner_copy`, and a records request's summary). The ZIP builder
(`jobs`) renders them to PDF; the preview renders the same plain values in a page, with a
fingerprint the release must match, so what the therapist checked is what the partner gets.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import selectinload

from therapy_portal import audit, policy
from therapy_portal.cosigning import cosignature_values
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.measures import note_charts
from therapy_portal.models import Couple, CoupleMember, User
from therapy_portal.models.notes import (
    ExportKind,
    NoteAddendum,
    NoteCopyExclusion,
    NoteExport,
    NoteStatus,
    SessionNote,
)
from therapy_portal.models.supervision import CoSignature, SignedKind
from therapy_portal.notes import digest as digests
from therapy_portal.notes import export, reading, signing
from therapy_portal.policy import partner_copy, supervision
from therapy_portal.policy.partner_copy import CopyRule
from therapy_portal.timezones import practice_zone


@dataclass(frozen=True)
class ExportSpec:
    """What an export asks for (a job row, or a preview before there is one)."""

    kind: ExportKind
    couple_id: int | None = None
    scope: str = ""  # records requests: a RecordScope
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def of(cls, job: NoteExport) -> ExportSpec:
        return cls(job.kind, job.couple_id, job.scope, job.date_from, job.date_to)

    @property
    def partner_label(self) -> str | None:
        """The partner whose own copy this is, or None."""
        return partner_copy.partner_of(self.kind, self.scope)


def selection(actor: User, spec: ExportSpec) -> Select[tuple[SessionNote]]:
    stmt = policy.notes_for_therapist(actor).where(SessionNote.status == NoteStatus.SIGNED)
    if spec.kind in (ExportKind.COUPLE, ExportKind.RECORD):
        stmt = stmt.where(SessionNote.couple_id == spec.couple_id)
    if spec.kind == ExportKind.RECORD:
        # A records release carries final notes only: none awaiting a co-signature.
        stmt = partner_copy.notes_in_copy(stmt.where(supervision.final_note()), spec.scope)
    if spec.kind == ExportKind.RANGE:
        stmt = stmt.where(
            SessionNote.session_date >= spec.date_from, SessionNote.session_date <= spec.date_to
        )
    return stmt


def count(actor: User, spec: ExportSpec) -> int:
    return db.session.scalar(select(func.count()).select_from(selection(actor, spec).subquery()))


@dataclass(frozen=True)
class NoteDocument:
    note: SessionNote
    integrity: signing.Integrity
    charts: list[note_charts.NoteChart]
    rule: CopyRule | None  # None outside records requests
    cosignature: dict | None = None  # the supervisor's, printed beside the signature


def marks(note_ids: list[int]) -> dict[int, frozenset[str]]:
    """The parts marked "not for partner copies", per note, in one query."""
    rows = db.session.execute(
        select(NoteCopyExclusion.note_id, NoteCopyExclusion.part).where(
            NoteCopyExclusion.note_id.in_(note_ids)
        )
    ).all()
    found: dict[int, set[str]] = {}
    for note_id, part in rows:
        found.setdefault(note_id, set()).add(part)
    return {note_id: frozenset(parts) for note_id, parts in found.items()}


def documents(actor: User, spec: ExportSpec) -> list[NoteDocument]:
    """Every note of the export with what its copy carries, oldest session first."""
    notes = db.session.scalars(
        selection(actor, spec)
        .options(
            selectinload(SessionNote.couple).selectinload(Couple.members),
            selectinload(SessionNote.addenda),
        )
        .order_by(SessionNote.session_date, SessionNote.id)
    ).all()
    histories = _measure_histories(actor, notes)
    marked = marks([n.id for n in notes]) if spec.kind == ExportKind.RECORD else {}
    cosigned = _cosignatures(actor, [n.id for n in notes])
    return [
        NoteDocument(
            note,
            reading.check_integrity(actor, note),
            note_charts.charts_for_note(
                histories[note.couple_id], note.session_date, partner_label=spec.partner_label
            ),
            partner_copy.export_rule(spec.kind, spec.scope, note, marked.get(note.id, frozenset())),
            cosigned.get(note.id),
        )
        for note in notes
    ]


def _cosignatures(actor: User, note_ids: list[int]) -> dict[int, dict]:
    """The notes' co-signatures as print values, in one query."""
    if not note_ids:
        return {}
    tz = practice_zone(actor.practice.timezone)
    rows = db.session.scalars(
        select(CoSignature).where(
            CoSignature.kind == SignedKind.NOTE,
            CoSignature.object_id.in_(note_ids),
            CoSignature.practice_id == actor.practice_id,
        )
    )
    return {row.object_id: cosignature_values(row, tz) for row in rows}


def _measure_histories(actor: User, notes) -> dict[int, note_charts.MeasureHistory | None]:
    """Each couple's measures up to its latest note, loaded once per couple (not per note)."""
    latest: dict[int, SessionNote] = {}
    for note in notes:  # ordered by session date: the last one per couple wins
        latest[note.couple_id] = note
    return {
        couple_id: note_charts.load_history(
            actor, note.couple, note.session_date, actor.practice.timezone
        )
        for couple_id, note in latest.items()
    }


def note_context(doc: NoteDocument, actor: User) -> dict:
    return export.note_context(
        doc.note,
        doc.integrity,
        actor.practice,
        doc.note.couple.display_name,
        doc.charts,
        rule=doc.rule,
        cosignature=doc.cosignature,
    )


def prepare(
    doc: NoteDocument, actor: User, *, cached_keys: set[str] | None = None
) -> export.PreparedPdf:
    return export.prepare(
        doc.note,
        doc.integrity,
        actor.practice,
        charts=doc.charts,
        rule=doc.rule,
        cached_keys=cached_keys,
        cosignature=doc.cosignature,
    )


def summary_context(actor: User, spec: ExportSpec, note_count: int) -> dict:
    """The record summary's plain values: what record providers add for this copy."""
    couple = db.session.get(Couple, spec.couple_id)
    label = spec.partner_label
    sections = digests.collect_record(couple, label)
    return {
        "practice": {
            "name": actor.practice.name,
            "address": actor.practice.address,
            "phone": actor.practice.phone,
            "paper_size": actor.practice.paper_size,
        },
        "couple_name": couple.display_name,
        "scope": (
            "the full record, authorized by each partner"
            if label is None
            else f"partner {label}'s copy: what partner {label} may see"
        ),
        "note_count": note_count,
        "sections": [{"title": s.title, "lines": list(s.lines)} for s in sections],
        "confidential": export.CONFIDENTIAL,
    }


@dataclass(frozen=True)
class CopyPreview:
    scope: str
    notes: list[dict]
    summary: dict
    fingerprint: str


def _plan(actor: User, couple: Couple, scope: str) -> CopyPreview:
    labels = set(
        db.session.scalars(select(CoupleMember.label).where(CoupleMember.couple_id == couple.id))
    )
    if not partner_copy.can_preview_copy(actor, couple, scope, labels):
        audit.record_denied(
            "record.preview", actor=actor, object_type="couple", object_id=couple.id
        )
        raise NotAllowed(gettext("not found"))
    spec = ExportSpec(ExportKind.RECORD, couple.id, scope)
    contexts = [note_context(doc, actor) for doc in documents(actor, spec)]
    summary = summary_context(actor, spec, len(contexts))
    canonical = json.dumps([contexts, summary], sort_keys=True, default=str).encode()
    return CopyPreview(scope, contexts, summary, hashlib.sha256(canonical).hexdigest())


def preview(actor: User, couple: Couple, scope: str) -> CopyPreview:
    """Exactly what a partner's copy would hold if released now, with its fingerprint (audited)."""
    shown = _plan(actor, couple, scope)
    audit.record(
        "record.preview",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        partner=scope,
        count=len(shown.notes),
    )
    return shown


def fingerprint(actor: User, couple: Couple, scope: str) -> str:
    """The fingerprint a release compares with the one of the preview the therapist saw."""
    return _plan(actor, couple, scope).fingerprint


def set_marks(actor: User, note: SessionNote, parts: set[str]) -> set[str]:
    """Replace the parts of a note marked "not for partner copies" (draft or signed)."""
    if not partner_copy.can_mark_parts(actor, note):
        raise NotAllowed(gettext("not found"))
    positions = db.session.scalars(
        select(NoteAddendum.position).where(NoteAddendum.note_id == note.id)
    )
    unknown = parts - partner_copy.markable_keys(note, positions)
    if unknown:
        raise ValidationFailed(gettext("Choose parts of this note."), field="parts")
    db.session.execute(delete(NoteCopyExclusion).where(NoteCopyExclusion.note_id == note.id))
    db.session.add_all(
        NoteCopyExclusion(
            practice_id=note.practice_id, note_id=note.id, part=part, marked_by_id=actor.id
        )
        for part in sorted(parts)
    )
    db.session.flush()
    audit.record(
        "note.partner_copy_marks",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
        count=len(parts),
    )
    return parts
