"""Loading the built-in exercise library (`flask homework load-library`): upsert by slug.

A version's translations count as its content: a changed translation makes a new version, as a
changed English text does.
"""

from __future__ import annotations

from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.homework.library import BuiltinTemplate, load_builtin_templates
from therapy_portal.homework.services.templates import (
    TemplateInput,
    add_version,
    check_template,
    content_hash,
    version_content,
)
from therapy_portal.models.homework import ExerciseTemplate, ExerciseVersion


def _builtin_input(builtin: BuiltinTemplate) -> TemplateInput:
    return TemplateInput(
        title=builtin.title,
        family=builtin.family,
        summary=builtin.summary,
        instructions=builtin.instructions,
        default_mode=builtin.default_mode,
        default_cadence=builtin.default_cadence,
        prompts=[dict(p) for p in builtin.prompts],
        rationale=builtin.rationale,
        reference=builtin.reference,
        therapist_looks_for=builtin.therapist_looks_for,
        caution=builtin.caution,
        suggested_duration_days=builtin.suggested_duration_days,
        translations=builtin.translations,
    )


def load_library() -> dict[str, int]:
    """Upsert every built-in by slug. A changed built-in gets a new version; safe to rerun."""
    existing = {
        t.slug: t
        for t in db.session.scalars(
            select(ExerciseTemplate).where(ExerciseTemplate.slug.is_not(None))
        )
    }
    hashes = dict(
        db.session.execute(
            select(ExerciseVersion.template_id, ExerciseVersion.content_hash)
            .join(ExerciseTemplate, ExerciseTemplate.id == ExerciseVersion.template_id)
            .where(
                ExerciseTemplate.slug.is_not(None),
                ExerciseVersion.number == ExerciseTemplate.latest_number,
            )
        ).all()
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for builtin in load_builtin_templates():
        data = _builtin_input(builtin)
        content = version_content(data, check_template(data))
        template = existing.get(builtin.slug)
        if template is None:
            template = ExerciseTemplate(
                slug=builtin.slug, family=builtin.family, title=builtin.title
            )
            db.session.add(template)
            db.session.flush()
            add_version(template, content, None)
            counts["created"] += 1
        elif hashes.get(template.id) != content_hash(content):
            add_version(template, content, None)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        audit.record(
            "homework.library_load",
            object_type="exercise_template",
            count=counts["created"] + counts["updated"],
        )
    db.session.flush()
    return counts
