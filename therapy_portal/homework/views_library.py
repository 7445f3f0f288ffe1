"""The exercise library: browse, read a template, copy, build and edit, preview, FHIR export."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import boundary, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.formtools import csrf_expired
from therapy_portal.homework import fhir, services
from therapy_portal.homework.builder_forms import (
    TYPE_LABELS,
    TemplateForm,
    new_prompt_row,
    prompt_rows_from,
)
from therapy_portal.homework.forms import answer_form_class
from therapy_portal.homework.library import FAMILIES, FAMILY_DESCRIPTIONS
from therapy_portal.homework.prompts import PROMPT_TYPES, validate_prompts, with_defaults
from therapy_portal.homework.routes import bp
from therapy_portal.homework.wording import LABELS as WORDS
from therapy_portal.homework.wording import VISIBILITY_NOTICES
from therapy_portal.i18n import gettext
from therapy_portal.models import Role

therapist_only = policy.requires(Role.THERAPIST)
LABELS = {
    **WORDS,
    "families": FAMILIES,
    "family_descriptions": FAMILY_DESCRIPTIONS,
    "types": TYPE_LABELS,
    "prompt_types": PROMPT_TYPES,
}
#: The template's own fields, as a version stores them (the builder's form fields too).
VERSION_FIELDS = (
    "title",
    "family",
    "summary",
    "instructions",
    "default_mode",
    "default_cadence",
    "suggested_duration_days",
    "rationale",
    "reference",
    "therapist_looks_for",
    "caution",
)
SAVED = "Saved as a new version. Homework already assigned keeps its version."


@bp.get("/library")
@therapist_only
def library():
    family = request.args.get("family", "")
    page = services.list_library(current_user, family or None, request.args.get("after", type=int))
    return render_template("homework/library.html", page=page, family=family, **LABELS)


@bp.get("/templates/<int:template_id>")
@therapist_only
def template_detail(template_id: int):
    template = policy.template_for_therapist_or_404(current_user, template_id)
    version = services.latest_version(template)
    return render_template(
        "homework/template_detail.html",
        template=template,
        version=version,
        versions=services.versions_of(template),
        action_form=FlaskForm(),
        can_edit=policy.can_edit_template(current_user, template),
        **LABELS,
    )


@bp.post("/templates/<int:template_id>/copy")
@therapist_only
def copy_template(template_id: int):
    template = policy.template_for_therapist_or_404(current_user, template_id)
    if csrf_expired():
        flash(gettext("This form had expired. Please try again."), "error")
        return redirect(url_for("homework.template_detail", template_id=template.id))
    return boundary.press(
        lambda: services.copy_template(current_user, template),
        then=lambda copy: url_for("homework.edit_template", template_id=copy.id),
        back=url_for("homework.template_detail", template_id=template.id),
        done=gettext(
            "Copied into your practice's library. Edit it here; the original stays as it was."
        ),
    )


def _rebuild(form: TemplateForm, rows: list[dict]) -> TemplateForm:
    data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "prompts")}
    return TemplateForm(formdata=None, data={**data, "prompts": rows})


def _apply_action(form: TemplateForm, action: str) -> TemplateForm:
    """Add, move or remove a prompt row without saving (works without JavaScript)."""
    rows = [entry.data for entry in form.prompts]
    if action == "add":
        rows.append(new_prompt_row(form.add_type.data, {r.get("key") for r in rows}))
    else:
        verb, _, index_text = action.partition("-")
        index = int(index_text) if index_text.isdigit() else -1
        if 0 <= index < len(rows):
            if verb == "remove":
                rows.pop(index)
            elif verb == "up" and index > 0:
                rows[index - 1], rows[index] = rows[index], rows[index - 1]
            elif verb == "down" and index < len(rows) - 1:
                rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return _rebuild(form, rows)


def _preview_prompts(form: TemplateForm) -> tuple[list[dict] | None, list[str]]:
    data = form.to_input()
    problems = data.problems + (
        validate_prompts(data.prompts) if data.prompts else [services.templates.NO_PROMPTS]
    )
    return (None, problems) if problems else (with_defaults(data.prompts), [])


def _notices(prompts: list[dict]) -> dict[str, str]:
    return {p["key"]: VISIBILITY_NOTICES[p["visibility"]] for p in prompts}


def _template_form(template) -> TemplateForm:
    """The builder's form: what was posted, text kept from a session that ended, or the
    template's latest version."""
    if request.method == "POST":
        return TemplateForm()
    form = TemplateForm(formdata=take_pending_form() or None)
    if template is None or form.title.data:
        return form
    version = services.latest_version(template)
    data = {name: getattr(version, name) for name in VERSION_FIELDS}
    return TemplateForm(formdata=None, data={**data, "prompts": prompt_rows_from(version.prompts)})


def _builder_page(form: TemplateForm, template, status: int = 200, preview=None, problems=None):
    return render_template(
        "homework/builder.html",
        form=form,
        template=template,
        preview=preview,
        preview_form=answer_form_class(preview)(formdata=None) if preview else None,
        problems=problems,
        preview_notices=_notices(preview or []),
        **LABELS,
    ), status


def _save(template, form: TemplateForm):
    if template is None:
        return services.create_template(current_user, form.to_input())
    services.save_new_version(current_user, template, form.to_input())
    return template


def _builder(template=None):
    form = _template_form(template)
    action = request.form.get("action", "save") if request.method == "POST" else ""
    if action == "save":
        return boundary.submit(
            form,
            lambda: _save(template, form),
            render=lambda: _builder_page(form, template, 422),
            then=lambda saved: url_for("homework.template_detail", template_id=saved.id),
            done=SAVED,
        )
    if action == "preview":
        preview, problems = _preview_prompts(form)
        return _builder_page(form, template, preview=preview, problems=problems)
    return _builder_page(_apply_action(form, action) if action else form, template)


@bp.route("/templates/new", methods=["GET", "POST"])
@therapist_only
def new_template():
    return _builder()


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@therapist_only
def edit_template(template_id: int):
    template = policy.template_for_therapist_or_404(current_user, template_id)
    if not policy.can_edit_template(current_user, template):
        flash(
            gettext("Built-in exercises can't be changed. Copy it into your practice to edit it.")
        )
        return redirect(url_for("homework.template_detail", template_id=template.id))
    return _builder(template)


@bp.get("/versions/<int:exercise_version_id>/preview")
@therapist_only
def preview_version(exercise_version_id: int):
    version = policy.version_for_therapist_or_404(current_user, exercise_version_id)
    form = answer_form_class(version.prompts)(formdata=None)
    return render_template(
        "homework/preview.html",
        version=version,
        form=form,
        notices=_notices(version.prompts),
        **LABELS,
    )


@bp.get("/versions/<int:exercise_version_id>/questionnaire.json")
@therapist_only
def version_fhir(exercise_version_id: int):
    version = policy.version_for_therapist_or_404(current_user, exercise_version_id)
    body = json.dumps(fhir.questionnaire(version), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/fhir+json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="questionnaire-{version.template_id}-v{version.number}.json"'
            )
        },
    )
