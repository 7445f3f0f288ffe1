"""Which exercise templates a therapist may use and edit: built-ins and their practice's own.

Templates hold no PHI; a practice's own templates are still scoped to that practice.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import Role, User
from therapy_portal.models.homework import ExerciseTemplate, ExerciseVersion


def _deny(user: User, object_type: str, object_id: int) -> NotAllowed:
    audit.record_denied("homework.access", actor=user, object_type=object_type, object_id=object_id)
    return NotAllowed("not found")


def templates_for_therapist(user: User) -> Select[tuple[ExerciseTemplate]]:
    """Built-ins and the therapist's practice's own templates."""
    if user.role != Role.THERAPIST:
        return select(ExerciseTemplate).where(False)
    return select(ExerciseTemplate).where(
        (ExerciseTemplate.practice_id.is_(None))
        | (ExerciseTemplate.practice_id == user.practice_id)
    )


def template_for_therapist_or_404(user: User, template_id: int) -> ExerciseTemplate:
    template = db.session.scalar(
        templates_for_therapist(user).where(ExerciseTemplate.id == template_id)
    )
    if template is None:
        raise _deny(user, "exercise_template", template_id)
    return template


def version_for_therapist_or_404(user: User, version_id: int) -> ExerciseVersion:
    version = None
    if user.role == Role.THERAPIST:
        version = db.session.scalar(
            select(ExerciseVersion)
            .where(
                ExerciseVersion.id == version_id,
                (ExerciseVersion.practice_id.is_(None))
                | (ExerciseVersion.practice_id == user.practice_id),
            )
            .options(joinedload(ExerciseVersion.template))
        )
    if version is None:
        raise _deny(user, "exercise_version", version_id)
    return version


def can_edit_template(user: User, template: ExerciseTemplate) -> bool:
    """Practice templates are shared by the practice's therapists; built-ins are copied first."""
    return user.role == Role.THERAPIST and template.practice_id == user.practice_id
