"""A couple's homework occurrences with their responses, for the record and its exports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from therapy_portal.extensions import db
from therapy_portal.models import Couple
from therapy_portal.models.homework import Assignment, Occurrence, Response


def occurrences_with_responses(couple: Couple) -> list[tuple[Occurrence, dict[str, Response]]]:
    """Every occurrence of the couple (oldest due first), each with its responses by label, in
    two statements."""
    occurrences = list(
        db.session.scalars(
            select(Occurrence)
            .where(Occurrence.couple_id == couple.id)
            .options(joinedload(Occurrence.assignment).joinedload(Assignment.version))
            .order_by(Occurrence.due_on, Occurrence.id)
        )
    )
    responses: dict[int, dict[str, Response]] = {o.id: {} for o in occurrences}
    if occurrences:
        for r in db.session.scalars(
            select(Response).where(Response.occurrence_id.in_(list(responses)))
        ):
            responses[r.occurrence_id][r.author_label] = r
    return [(o, responses[o.id]) for o in occurrences]
