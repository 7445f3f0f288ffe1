"""Homework quality: beside "reviewed", how fully each partner did a piece of homework.

The therapist rates each expected answer of an occurrence (each partner's, or the joint one) as
not done, partly, fully or beyond (`HomeworkQuality`). Rating again replaces the value. A
partner who wrote nothing can still be rated "not done". Ratings are the therapist's: no
partner-facing page reads them. Every rating is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext, lazy_gettext
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.homework import (
    Assignment,
    ExerciseVersion,
    HomeworkRating,
    Occurrence,
)
from therapy_portal.models.vocabulary import HomeworkQuality, Slot

QUALITY_LABELS = {
    HomeworkQuality.NOT_DONE: lazy_gettext("Not done"),
    HomeworkQuality.PARTLY: lazy_gettext("Partly"),
    HomeworkQuality.FULLY: lazy_gettext("Fully"),
    HomeworkQuality.BEYOND: lazy_gettext("Beyond what was asked"),
}
HISTORY_POINTS = 8  # ratings per partner on the couple overview


def ratings_of(occurrence: Occurrence) -> dict[str, str]:
    """The occurrence's ratings by slot (the caller loaded the occurrence through its loader)."""
    rows = db.session.execute(
        select(HomeworkRating.partner_label, HomeworkRating.quality).where(
            HomeworkRating.occurrence_id == occurrence.id
        )
    )
    return {label: quality for label, quality in rows}


def rate_homework(
    actor: User, occurrence: Occurrence, ratings: Mapping[str, str | None]
) -> dict[str, str]:
    """Store the ratings given (slot -> quality; empty means leave as is); the ones saved.

    Refuses a slot the occurrence does not expect and a value outside `HomeworkQuality`, and
    refuses an empty rating altogether with a message, so pressing Save never silently does
    nothing.
    """
    assignment: Assignment = occurrence.assignment
    if not policy.can_view_couple(actor, assignment.couple):
        raise NotAllowed(gettext("not found"))
    given = _checked(assignment, ratings)
    existing = {
        r.partner_label: r
        for r in db.session.scalars(
            select(HomeworkRating).where(HomeworkRating.occurrence_id == occurrence.id)
        )
    }
    for slot, value in given.items():
        row = existing.get(slot)
        if row is None:
            row = HomeworkRating(
                practice_id=occurrence.practice_id,
                couple_id=occurrence.couple_id,
                occurrence_id=occurrence.id,
                partner_label=slot,
            )
            db.session.add(row)
        row.quality, row.rated_by_id, row.rated_at = value, actor.id, utcnow()
        audit.record(
            "homework.rate_quality",
            actor=actor,
            object_type="occurrence",
            object_id=occurrence.id,
            couple_id=occurrence.couple_id,
            label=slot,
            kind=value,
        )
    db.session.flush()
    return given


def _checked(assignment: Assignment, ratings: Mapping[str, str | None]) -> dict[str, str]:
    expected = {str(s) for s in policy.expected_slots(assignment.mode)}
    given = {slot: value for slot, value in ratings.items() if value}
    for slot, value in given.items():
        if slot not in expected:
            raise ValidationFailed(gettext("This homework has no such answer to rate."))
        if value not in set(HomeworkQuality):
            raise ValidationFailed(
                gettext("Choose one of: not done, partly, fully, beyond."), field=f"quality_{slot}"
            )
    if not given:
        raise ValidationFailed(gettext("Choose how fully the homework was done before saving."))
    return given


@dataclass(frozen=True)
class Rated:
    due_on: date
    title: str
    quality: str

    @property
    def label(self) -> str:
        return QUALITY_LABELS.get(self.quality, self.quality)


def quality_history(actor: User, couple: Couple) -> dict[str, list[Rated]]:
    """Each slot's latest ratings, oldest first (one statement, at most HISTORY_POINTS each)."""
    rows = db.session.execute(
        policy.occurrences_for_therapist(actor)
        .join(HomeworkRating, HomeworkRating.occurrence_id == Occurrence.id)
        .join(Assignment, Assignment.id == Occurrence.assignment_id)
        .join(ExerciseVersion, ExerciseVersion.id == Assignment.version_id)
        .where(Occurrence.couple_id == couple.id)
        .with_only_columns(
            HomeworkRating.partner_label,
            Occurrence.due_on,
            ExerciseVersion.title,
            HomeworkRating.quality,
        )
        .order_by(Occurrence.due_on.desc(), Occurrence.id.desc())
        .limit(HISTORY_POINTS * 3)
    ).all()
    history: dict[str, list[Rated]] = {}
    for label, due_on, title, quality in rows:
        points = history.setdefault(label, [])
        if len(points) < HISTORY_POINTS:
            points.append(Rated(due_on, title, quality))
    return {
        label: list(reversed(points))
        for label, points in sorted(history.items(), key=lambda kv: _order(kv[0]))
    }


def _order(label: str) -> int:
    return [Slot.A, Slot.B, Slot.JOINT].index(Slot(label))
