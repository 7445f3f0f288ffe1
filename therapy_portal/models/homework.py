"""Homework: exercise templates and their immutable versions, assignments, occurrences and
responses (submissions, draft conflict copies and feedback are in `homework_answers`).

Built-in templates are install-wide reference data, not practice data: their rows in
``exercise_template`` and ``exercise_version`` have ``practice_id`` NULL (and a ``slug``), while a
practice's own templates and copies have a ``practice_id`` (and no slug). A check constraint keeps
exactly one of the two. This is the only place a NULL ``practice_id`` is allowed: copying fifteen
built-ins into every practice would make a library update a per-practice migration, and the
built-in rows hold no PHI. Everything a couple does (assignment onwards) carries its practice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.couples import Couple
from therapy_portal.models.encrypted import EncryptedJSON
from therapy_portal.models.homework_answers import (
    DraftConflict,
    Feedback,
    HomeworkRating,
    Submission,
)
from therapy_portal.models.vocabulary import AssignmentStatus, ResponseStatus

__all__ = [
    "Assignment",
    "AssignmentStatus",
    "DraftConflict",
    "ExerciseTemplate",
    "ExerciseVersion",
    "Feedback",
    "HomeworkRating",
    "Occurrence",
    "Response",
    "ResponseStatus",
    "Submission",
]


class ExerciseTemplate(Base):
    """A template's identity; its content lives in immutable versions."""

    __tablename__ = "exercise_template"
    __table_args__ = (
        CheckConstraint("(slug IS NULL) <> (practice_id IS NULL)", name="builtin_or_practice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL only for built-ins (see the module docstring).
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("exercise_template.id"))
    # Mirrors of the latest version, for listing without a join.
    family: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    latest_number: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_builtin(self) -> bool:
        return self.practice_id is None


class ExerciseVersion(Base):
    """One immutable version of a template: what an assignment points at."""

    __tablename__ = "exercise_version"
    __table_args__ = (
        UniqueConstraint("template_id", "number"),
        CheckConstraint("default_mode IN ('each_partner', 'joint', 'turns')", name="mode"),
        CheckConstraint("default_cadence IN ('once', 'daily', 'weekly')", name="cadence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("exercise_template.id"), index=True)
    number: Mapped[int]
    family: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    instructions: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(Text, default="")
    therapist_looks_for: Mapped[str] = mapped_column(Text, default="")
    caution: Mapped[str] = mapped_column(Text, default="")
    # Prompt definitions with every default explicit (`prompts.with_defaults`).
    prompts: Mapped[list] = mapped_column(JSON)
    default_mode: Mapped[str] = mapped_column(String(16))
    default_cadence: Mapped[str] = mapped_column(String(8))
    suggested_duration_days: Mapped[int] = mapped_column(default=7)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[ExerciseTemplate] = relationship(lazy="raise")


@event.listens_for(ExerciseVersion, "before_update")
def _versions_are_immutable(mapper, connection, target) -> None:
    raise ValueError("exercise_version rows never change; make a new version instead")


class Assignment(Base):
    """A template version given to a couple, with its mode, visibility, cadence and note."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
        CheckConstraint("mode IN ('each_partner', 'joint', 'turns')", name="mode"),
        CheckConstraint("cadence IN ('once', 'daily', 'weekly')", name="cadence"),
        Index("ix_assignment_couple_status", "couple_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("exercise_version.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # a `Mode`
    # {prompt key: visibility}, fixed at assignment: an answer's visibility never changes later.
    visibility: Mapped[dict] = mapped_column(JSON)
    cadence: Mapped[str] = mapped_column(String(8), default="once")
    first_due_on: Mapped[date]
    ends_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=AssignmentStatus.ACTIVE)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A booster of the maintenance plan scheduled when the couple was closed: the closed
    # couple's partners can still answer it (`homework.services.boosters`).
    booster: Mapped[bool] = mapped_column(default=False, server_default=false())

    couple: Mapped[Couple] = relationship(lazy="raise")
    version: Mapped[ExerciseVersion] = relationship(lazy="raise")
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="assignment", order_by="Occurrence.sequence", lazy="raise"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == AssignmentStatus.CANCELLED


class Occurrence(Base):
    """One piece of homework with its own due date (a recurring assignment has several)."""

    __tablename__ = "occurrence"
    __table_args__ = (
        UniqueConstraint("assignment_id", "sequence"),
        # Per-couple counts (caseload, couple page) and the overdue list read a couple's
        # occurrences in due order: EXPLAIN showed an index scan per couple on this one.
        Index("ix_occurrence_couple_due", "couple_id", "due_on"),
        # The review queue: only occurrences waiting for review, a few per couple, in the
        # order the queue shows them. Partial, so a year of reviewed homework costs nothing
        # (EXPLAIN ANALYZE at 1M answers: a bitmap scan of a few hundred rows instead of a
        # sequential scan of `occurrence` and a hash aggregate of `response`).
        Index(
            "ix_occurrence_waiting",
            "couple_id",
            "waiting_since",
            postgresql_where=text("reviewed_at IS NULL AND submitted_count > 0"),
            sqlite_where=text("reviewed_at IS NULL AND submitted_count > 0"),
        ),
        # Overdue work: an occurrence with two submitted answers is complete whatever its mode
        # (a couple has at most two partners), so only the few with fewer can be overdue. The
        # overdue list and counts add `submitted_count < 2` to use it: EXPLAIN ANALYZE at 16,000
        # couples went from a year of the therapist's occurrences plus sequential scans of
        # `couple` and `assignment` (214 ms) to a few hundred index rows.
        Index(
            "ix_occurrence_open",
            "couple_id",
            "due_on",
            postgresql_where=text("submitted_count < 2"),
            sqlite_where=text("submitted_count < 2"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    sequence: Mapped[int]
    due_on: Mapped[date]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counters over this occurrence's responses, kept by `refresh_counters` in the transaction
    # that changes a response's status, so list pages never aggregate the `response` table.
    submitted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The oldest `submitted_at` among the responses now submitted: how long it has waited.
    waiting_since: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship(back_populates="occurrences", lazy="raise")


class Response(Base):
    """A partner's (or the couple's joint) answer to one occurrence.

    ``draft`` holds the raw form input exactly as typed (never cleaned, so nothing is lost);
    ``answers`` holds the cleaned values of the latest submission. ``version`` counts saves:
    a save naming an older version is a conflict.

    A release covers the text that was released: ``answers_version`` is the version whose
    submission ``answers`` holds, ``released_version`` the one the therapist released. A new
    submission moves ``answers_version`` on, so its text is not released until released again
    (``released_at`` and ``released_by_id`` tell when and by whom, for the latest release).
    """

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "author_label"),
        CheckConstraint("author_label IN ('A', 'B', 'J')", name="label"),
        CheckConstraint("status IN ('draft', 'submitted', 'returned')", name="status"),
        Index("ix_response_couple_status", "couple_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"))
    author_label: Mapped[str] = mapped_column(String(1))  # a `Slot`
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.DRAFT)
    draft: Mapped[dict] = mapped_column(EncryptedJSON("response.draft"), default=dict)
    answers: Mapped[dict | None] = mapped_column(EncryptedJSON("response.answers"))
    version: Mapped[int] = mapped_column(default=0)
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    first_submitted_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    return_note: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answers_version: Mapped[int | None]
    released_version: Mapped[int | None]

    occurrence: Mapped[Occurrence] = relationship(lazy="raise")

    @property
    def is_released(self) -> bool:
        """Has the therapist released the text ``answers`` holds now?"""
        return self.released_version is not None and self.released_version == self.answers_version

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    @property
    def ever_submitted(self) -> bool:
        return self.first_submitted_at is not None
