"""Session notes, addenda, psychotherapy notes, records authorizations, exports and the PDF cache.

A signed note never changes: PostgreSQL refuses it with a trigger (`note_triggers`), and every
database refuses it through the ORM guard in `therapy_portal.notes.signing` plus the service checks.
Addenda are append-only on every database; their body is encrypted like the risk screening.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.couples import Couple
from therapy_portal.models.encrypted import EncryptedBytes, EncryptedText
from therapy_portal.models.note_triggers import SIGNED_NOTE_POSTGRES, addendum_guards
from therapy_portal.models.practice import User


class NoteStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class NoteFormat(enum.StrEnum):
    SOAP = "soap"
    DAP = "dap"
    BIRP = "birp"
    GIRP = "girp"


class Attendees(enum.StrEnum):
    """Who attended: both partners, or one of them alone (their partner label)."""

    BOTH = "both"
    A = "A"
    B = "B"


class ServiceCode(enum.StrEnum):
    CONJOINT = "90847"  # with the client present
    WITHOUT_CLIENT = "90846"


class Modality(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"


class AddendumKind(enum.StrEnum):
    CORRECTION = "correction"
    LATE_ENTRY = "late_entry"
    CLARIFICATION = "clarification"


class AuthorizationMethod(enum.StrEnum):
    WRITTEN = "written"
    ELECTRONIC = "electronic"
    VERBAL = "verbal"


class ExportKind(enum.StrEnum):
    COUPLE = "couple"  # every signed note of one couple
    RANGE = "range"  # every signed note in a date range, across the caseload
    RECORD = "record"  # a records request: the full record or one partner's copy


class RecordScope(enum.StrEnum):
    """What a records request releases: the full record, or one partner's own copy."""

    FULL = "full"
    A = "A"
    B = "B"


class SessionNote(Base):
    """A progress note for one session of a couple, written by one therapist."""

    __tablename__ = "session_note"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'signed')", name="status"),
        CheckConstraint("format IN ('soap', 'dap', 'birp', 'girp')", name="format"),
        CheckConstraint("attendees IN ('both', 'A', 'B')", name="attendees"),
        CheckConstraint("service_code IN ('90847', '90846')", name="service_code"),
        CheckConstraint("modality IN ('in_person', 'video')", name="modality"),
        CheckConstraint(
            "status = 'draft' OR (signature IS NOT NULL AND signed_at IS NOT NULL)",
            name="signed_has_signature",
        ),
        Index("ix_session_note_couple_date", "couple_id", "session_date"),
        Index("ix_session_note_practice_date", "practice_id", "session_date"),
        # Today's "Draft notes not signed": the author's drafts, oldest session first. Partial,
        # so signed notes (nearly all of them, and more every week) cost nothing: EXPLAIN
        # (ANALYZE, BUFFERS) on the large bench database read all 2,400 of the therapist's notes
        # through `ix_session_note_therapist_id` to find none; this index holds only drafts.
        Index(
            "ix_session_note_drafts",
            "therapist_id",
            "session_date",
            postgresql_where=text("status = 'draft'"),
            sqlite_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_date: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    format: Mapped[str] = mapped_column(String(8))
    attendees: Mapped[str] = mapped_column(String(8), default=Attendees.BOTH)
    service_code: Mapped[str] = mapped_column(String(8), default=ServiceCode.CONJOINT)
    modality: Mapped[str] = mapped_column(String(16), default=Modality.IN_PERSON)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    interventions: Mapped[str] = mapped_column(Text, default="")
    risk_screening: Mapped[str] = mapped_column(
        EncryptedText("session_note.risk_screening"), default=""
    )
    next_session: Mapped[str] = mapped_column(String(200), default="")
    digest: Mapped[str] = mapped_column(Text, default="")
    # active_history: the guard must know a note *was* signed even when status is reassigned.
    status: Mapped[str] = mapped_column(String(8), default=NoteStatus.DRAFT, active_history=True)
    # Incremented on every save; a save that names an older version is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    signer_credentials: Mapped[str] = mapped_column(String(80), default="")
    signature: Mapped[str | None] = mapped_column(String(64))

    couple: Mapped[Couple] = relationship(lazy="raise")
    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="raise")
    addenda: Mapped[list[NoteAddendum]] = relationship(
        back_populates="note",
        order_by="NoteAddendum.position",
        lazy="raise",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED


class NoteAddendum(Base):
    """A signed, append-only correction, late entry or clarification of a signed note."""

    __tablename__ = "note_addendum"
    __table_args__ = (
        UniqueConstraint("note_id", "position"),
        CheckConstraint("kind IN ('late_entry', 'correction', 'clarification')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_note.id"))
    position: Mapped[int]  # 1, 2, 3 … in the order written
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(120))
    author_credentials: Mapped[str] = mapped_column(String(80), default="")
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(EncryptedText("note_addendum.body"))
    created_at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(String(64))

    note: Mapped[SessionNote] = relationship(back_populates="addenda", lazy="raise")


class NoteCopyExclusion(Base):
    """A part of a note the therapist marked "not for partner copies".

    A release decision about the note, not part of what it says: outside the signed content, so
    it can be set on a signed note (`therapy_portal.policy.partner_copy` applies it).
    """

    __tablename__ = "note_copy_exclusion"
    __table_args__ = (UniqueConstraint("note_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_note.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(40))
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class PsychotherapyNote(Base):
    """Process notes kept apart from the record: only the author sees them; no export has them."""

    __tablename__ = "psychotherapy_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_date: Mapped[date]
    body: Mapped[str] = mapped_column(EncryptedText("psychotherapy_note.body"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecordAuthorization(Base):
    """A partner's authorization to release the couple's record, recorded by the therapist."""

    __tablename__ = "record_authorization"
    __table_args__ = (
        CheckConstraint("partner_label IN ('A', 'B')", name="label"),
        CheckConstraint("method IN ('written', 'electronic', 'verbal')", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    partner_label: Mapped[str] = mapped_column(String(1))
    partner_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    method: Mapped[str] = mapped_column(String(16))
    authorized_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExportStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class NoteExport(Base):
    """One ZIP export job: what was asked, how far it got, and where the finished file is."""

    __tablename__ = "note_export"
    __table_args__ = (
        CheckConstraint("kind IN ('couple', 'range', 'record')", name="kind"),
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    couple_id: Mapped[int | None] = mapped_column(ForeignKey("couple.id"))
    date_from: Mapped[date | None]
    date_to: Mapped[date | None]
    # Records requests: "full" (every partner authorized) or a partner label for their own copy.
    scope: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[str] = mapped_column(String(8), default=ExportStatus.PENDING)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(300), default="")
    file_name: Mapped[str] = mapped_column(String(120), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class NotePdfCache(Base):
    """The PDF of a signed note, keyed by a hash of its signature and its addenda's signatures."""

    __tablename__ = "note_pdf_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_note.id"), index=True)
    cache_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The PDF holds the risk screening, so it is encrypted like the note's own column.
    pdf: Mapped[bytes] = mapped_column(EncryptedBytes("note_pdf_cache.pdf"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# PostgreSQL: a signed note's content can be neither changed nor deleted, by anyone.
for _ddl in SIGNED_NOTE_POSTGRES:
    event.listen(SessionNote.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))
# Addenda are append-only everywhere (`flask keys rotate` may re-encrypt a body, nothing else).
for _dialect, _ddls in addendum_guards().items():
    for _ddl in _ddls:
        event.listen(NoteAddendum.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
