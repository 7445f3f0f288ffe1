"""Who may see which homework: the scoped loaders, by role. They answer 404 (and audit the
denial) for what is not the actor's. What a partner may read of the other partner's answers, and
who answers when, are the rules in `policy.homework_rules`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleMember, CoupleTherapist, Role, User
from therapy_portal.models.homework import Assignment, DraftConflict, Occurrence, Response
from therapy_portal.models.vocabulary import Slot


class PartnerSeat(NamedTuple):
    """A piece of homework as one partner may open it: the occurrence and their slot (A or B)."""

    occurrence: Occurrence
    label: Slot

    @property
    def assignment(self) -> Assignment:
        return self.occurrence.assignment


def _deny(user: User, object_type: str, object_id: int) -> NotAllowed:
    audit.record_denied("homework.access", actor=user, object_type=object_type, object_id=object_id)
    return NotAllowed("not found")


def _treats(user: User, couple_id_column) -> Any:
    return exists().where(
        CoupleTherapist.couple_id == couple_id_column, CoupleTherapist.therapist_id == user.id
    )


# ----------------------------------------------------------------------- assignments (therapist)
def assignments_for_therapist(user: User) -> Select[tuple[Assignment]]:
    if user.role != Role.THERAPIST:
        return select(Assignment).where(False)
    return select(Assignment).where(
        Assignment.practice_id == user.practice_id, _treats(user, Assignment.couple_id)
    )


def assignment_for_therapist_or_404(user: User, assignment_id: int) -> Assignment:
    assignment = db.session.scalar(
        assignments_for_therapist(user)
        .where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.version), joinedload(Assignment.couple))
    )
    if assignment is None:
        raise _deny(user, "assignment", assignment_id)
    audit.reading_couple(assignment.couple_id)
    return assignment


def occurrences_for_therapist(user: User) -> Select[tuple[Occurrence]]:
    if user.role != Role.THERAPIST:
        return select(Occurrence).where(False)
    return select(Occurrence).where(
        Occurrence.practice_id == user.practice_id, _treats(user, Occurrence.couple_id)
    )


def _with_assignment(stmt: Select) -> Select:
    return stmt.options(
        joinedload(Occurrence.assignment).joinedload(Assignment.version),
        joinedload(Occurrence.assignment).joinedload(Assignment.couple),
    )


def occurrence_for_therapist_or_404(user: User, occurrence_id: int) -> Occurrence:
    occurrence = db.session.scalar(
        _with_assignment(occurrences_for_therapist(user).where(Occurrence.id == occurrence_id))
    )
    if occurrence is None:
        raise _deny(user, "occurrence", occurrence_id)
    audit.reading_couple(occurrence.couple_id)
    return occurrence


def homework_response_for_therapist_or_404(user: User, response_id: int) -> Response:
    """A response of a couple the therapist treats, with its occurrence and assignment."""
    response = None
    if user.role == Role.THERAPIST:
        response = db.session.scalar(
            select(Response)
            .where(
                Response.id == response_id,
                Response.practice_id == user.practice_id,
                _treats(user, Response.couple_id),
            )
            .options(
                joinedload(Response.occurrence)
                .joinedload(Occurrence.assignment)
                .options(joinedload(Assignment.version), joinedload(Assignment.couple))
            )
        )
    if response is None:
        raise _deny(user, "response", response_id)
    audit.reading_couple(response.couple_id)
    return response


# ----------------------------------------------------------------------------- partner side
def occurrence_for_partner_or_404(user: User, occurrence_id: int) -> PartnerSeat:
    """The occurrence, if it belongs to the partner's couple, and the partner's label."""
    row = None
    if user.role == Role.CLIENT:
        row = db.session.execute(
            _with_assignment(
                select(Occurrence, CoupleMember.label)
                .join(CoupleMember, CoupleMember.couple_id == Occurrence.couple_id)
                .where(
                    Occurrence.id == occurrence_id,
                    Occurrence.practice_id == user.practice_id,
                    CoupleMember.user_id == user.id,
                )
            )
        ).first()
    if row is None:
        raise _deny(user, "occurrence", occurrence_id)
    audit.reading_couple(row[0].couple_id)
    return PartnerSeat(row[0], Slot(row[1]))


def conflict_for_partner_or_404(user: User, conflict_id: int) -> DraftConflict:
    """A conflict copy: only the partner who typed it may see or dismiss it."""
    conflict = None
    if user.role == Role.CLIENT:
        conflict = db.session.scalar(
            select(DraftConflict).where(
                DraftConflict.id == conflict_id,
                DraftConflict.practice_id == user.practice_id,
                DraftConflict.author_id == user.id,
            )
        )
    if conflict is None:
        raise _deny(user, "draft_conflict", conflict_id)
    return conflict
