"""Homework: exercise templates and their immutable versions, assignments, occurrences,
responses, submissions, draft conflict copies and feedback.

Built-in templates are install-wide reference data, not practice data: their rows in
``exercise_template`` and ``exercise_version`` have ``practice_id`` NULL (and a ``slug``), while a
practice's own templates and copies have a ``practice_id`` (and no slug). A check constraint keeps
exactly one of the two. This is the only place a NULL ``practice_id`` is allowed: copying fifteen
built-ins into every practice would make a library update a per-practice migration, and the
built-in rows hold no PHI. Everything a couple does (assignment onwards) carries its practice.
"""

from __future__ import annotations

import enum
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.couples import Couple
from therapy_portal.models.encrypted import EncryptedJSON


class AssignmentStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"


#: Label of the single response of a joint assignment (partners are "A" and "B").
JOINT = "J"


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
    mode: Mapped[str] = mapped_column(String(16))
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
        Index("ix_occurrence_couple_due", "couple_id", "due_on"),
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
    author_label: Mapped[str] = mapped_column(String(1))
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


class Submission(Base):
    """Each submission of a response; the idempotency key makes a repeated submit a no-op."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(EncryptedJSON("submission.answers"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftConflict(Base):
    """Text from a stale tab that lost a save race: kept, shown beside the saved draft."""

    __tablename__ = "draft_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    fields: Mapped[dict] = mapped_column(EncryptedJSON("draft_conflict.fields"))
    based_on_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dismissed_at: Mapped[datetime | None]


class Feedback(Base):
    """A therapist's feedback on one prompt or the whole occurrence, for partner A, B or both."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("audience IN ('A', 'B', 'both')", name="audience"),
        Index("ix_feedback_occurrence", "occurrence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrence.id"))
    prompt_key: Mapped[str | None] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(4))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
