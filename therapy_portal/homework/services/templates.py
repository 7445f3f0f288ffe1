"""The exercise library: loading built-ins, browsing, copying, building and versioning templates.

An assignment points at an immutable `ExerciseVersion`; saving a template always adds a version,
so past homework keeps the exact wording its partners saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from therapy_portal import audit, policy
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework.library import FAMILIES
from therapy_portal.homework.prompts import validate_prompts, with_defaults
from therapy_portal.i18n import gettext
from therapy_portal.models import Role, User, utcnow
from therapy_portal.models.homework import ExerciseTemplate, ExerciseVersion
from therapy_portal.models.vocabulary import CADENCES, MODES, Mode, Visibility
from therapy_portal.pagination import Page, keyset_page

PER_PAGE = 30
NO_PROMPTS = "A template needs at least one prompt. Add a prompt, then save."


@dataclass(frozen=True)
class TemplateInput:
    """Everything a version holds, as typed by its author."""

    title: str
    family: str
    summary: str
    instructions: str
    default_mode: str
    default_cadence: str
    prompts: list[dict[str, Any]]
    rationale: str = ""
    reference: str = ""
    therapist_looks_for: str = ""
    caution: str = ""
    suggested_duration_days: int = 7
    problems: list[str] = field(default_factory=list)
    #: Checked translations (built-ins only: the builder has none, so editing drops them).
    translations: dict[str, Any] = field(default_factory=dict)


def version_content(data: TemplateInput, prompts: list[dict[str, Any]]) -> dict[str, Any]:
    content = {
        "title": data.title.strip(),
        "family": data.family,
        "summary": data.summary.strip(),
        "instructions": data.instructions.strip(),
        "rationale": data.rationale.strip(),
        "reference": data.reference.strip(),
        "caution": data.caution.strip(),
        "therapist_looks_for": data.therapist_looks_for.strip(),
        "prompts": prompts,
        "default_mode": data.default_mode,
        "default_cadence": data.default_cadence,
        "suggested_duration_days": data.suggested_duration_days,
    }
    # Only when there are some, so a version without translations keeps the hash it had.
    if data.translations:
        content["translations"] = data.translations
    return content


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def check_template(data: TemplateInput) -> list[dict[str, Any]]:
    """The prompts with defaults made explicit; `ValidationFailed` names the first problem."""
    if not data.title.strip():
        raise ValidationFailed(gettext("Give the exercise a title."), field="title")
    if data.family not in FAMILIES:
        raise ValidationFailed(gettext("Choose a family from the list."), field="family")
    if not data.instructions.strip():
        raise ValidationFailed(
            gettext("Write the instructions partners will read."), field="instructions"
        )
    if data.default_mode not in MODES:
        raise ValidationFailed(gettext("Choose how the couple answers."), field="default_mode")
    if data.default_cadence not in CADENCES:
        raise ValidationFailed(gettext("Choose how often it repeats."), field="default_cadence")
    if data.problems:
        raise ValidationFailed(" ".join(data.problems), field="prompts")
    if not data.prompts:
        raise ValidationFailed(NO_PROMPTS, field="prompts")
    problems = validate_prompts(data.prompts)
    if problems:
        raise ValidationFailed(" ".join(problems), field="prompts", problems=problems)
    if data.default_mode == Mode.JOINT and any(
        p.get("visibility") == Visibility.SHARED_AFTER_BOTH for p in data.prompts
    ):
        raise ValidationFailed(
            gettext(
                "A joint exercise has one shared answer, so no prompt can wait for both partners "
                "to submit. Choose another visibility."
            ),
            field="prompts",
        )
    return with_defaults(data.prompts)


def add_version(
    template: ExerciseTemplate, content: dict[str, Any], actor: User | None
) -> ExerciseVersion:
    template.latest_number += 1
    template.title, template.family = content["title"], content["family"]
    template.summary = content["summary"][:300]
    template.updated_at = utcnow()
    version = ExerciseVersion(
        practice_id=template.practice_id,
        template_id=template.id,
        number=template.latest_number,
        content_hash=content_hash(content),
        created_by_id=actor.id if actor else None,
        **content,
    )
    db.session.add(version)
    db.session.flush()
    return version


def latest_version(template: ExerciseTemplate) -> ExerciseVersion:
    return db.session.scalar(
        select(ExerciseVersion).where(
            ExerciseVersion.template_id == template.id,
            ExerciseVersion.number == template.latest_number,
        )
    )


def versions_of(template: ExerciseTemplate) -> list[ExerciseVersion]:
    return list(
        db.session.scalars(
            select(ExerciseVersion)
            .where(ExerciseVersion.template_id == template.id)
            .order_by(ExerciseVersion.number.desc())
        )
    )


# ------------------------------------------------------------------------------ browsing
@dataclass(frozen=True)
class LibraryPage:
    templates: list[ExerciseTemplate]
    page: Page


def list_library(actor: User, family: str | None = None, after: int | None = None) -> LibraryPage:
    """Built-ins and the practice's templates, by family then title (two statements)."""
    stmt = policy.templates_for_therapist(actor)
    if family in FAMILIES:
        stmt = stmt.where(ExerciseTemplate.family == family)
    page = keyset_page(
        stmt,
        [
            ExerciseTemplate.family,
            ExerciseTemplate.practice_id.is_(None),
            func.lower(ExerciseTemplate.title),
        ],
        ExerciseTemplate.id,
        after=after,
        per_page=PER_PAGE,
        count=True,
    )
    return LibraryPage(page.items, page)


# ------------------------------------------------------------------------------ authoring
def _require_therapist(actor: User) -> None:
    if actor.role != Role.THERAPIST:
        raise NotAllowed(gettext("not found"))


def create_template(actor: User, data: TemplateInput) -> ExerciseTemplate:
    """A new practice template with its first version."""
    _require_therapist(actor)
    content = version_content(data, check_template(data))
    template = ExerciseTemplate(
        practice_id=actor.practice_id,
        family=data.family,
        title=content["title"],
        created_by_id=actor.id,
    )
    db.session.add(template)
    db.session.flush()
    version = add_version(template, content, actor)
    audit.record(
        "homework.template_create",
        actor=actor,
        object_type="exercise_template",
        object_id=template.id,
        version=version.number,
    )
    return template


def copy_template(actor: User, template: ExerciseTemplate) -> ExerciseTemplate:
    """Copy a template (usually a built-in) into the practice, where it can be edited."""
    _require_therapist(actor)
    source = latest_version(template)
    content = {
        k: getattr(source, k)
        for k in (
            "title",
            "family",
            "summary",
            "instructions",
            "rationale",
            "reference",
            "caution",
            "therapist_looks_for",
            "prompts",
            "default_mode",
            "default_cadence",
            "suggested_duration_days",
        )
    }
    if source.translations:  # the copy reads the same in every language until it is edited
        content["translations"] = source.translations
    copy = ExerciseTemplate(
        practice_id=actor.practice_id,
        family=source.family,
        title=source.title,
        copied_from_id=template.id,
        created_by_id=actor.id,
    )
    db.session.add(copy)
    db.session.flush()
    add_version(copy, content, actor)
    audit.record(
        "homework.template_copy",
        actor=actor,
        object_type="exercise_template",
        object_id=copy.id,
        version=source.number,
    )
    return copy


def save_new_version(
    actor: User, template: ExerciseTemplate, data: TemplateInput
) -> ExerciseVersion:
    """Save an edit as a new version; assignments keep pointing at the version they had."""
    if not policy.can_edit_template(actor, template):
        raise NotAllowed(gettext("not found"))
    content = version_content(data, check_template(data))
    current = latest_version(template)
    if current is not None and current.content_hash == content_hash(content):
        raise ValidationFailed(
            gettext("Nothing changed since the last version, so nothing was saved.")
        )
    version = add_version(template, content, actor)
    audit.record(
        "homework.template_version",
        actor=actor,
        object_type="exercise_template",
        object_id=template.id,
        version=version.number,
    )
    return version
