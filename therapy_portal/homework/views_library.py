"""The exercise library: browse, read a template, copy, build and edit, preview, FHIR export."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error
from therapy_portal.homework import fhir, services
from therapy_portal.homework.forms import (
    TYPE_LABELS,
    TemplateForm,
    answer_form_class,
    new_prompt_row,
    prompt_rows_from,
)
from therapy_portal.homework.library import FAMILIES
from therapy_portal.homework.prompts import (
    CADENCE_LABELS,
    MODE_LABELS,
    VISIBILITY_LABELS,
    VISIBILITY_NOTICES,
    validate_prompts,
    with_defaults,
)
from therapy_portal.homework.routes import bp
from therapy_portal.models import Role

therapist_only = policy.requires(Role.THERAPIST)
LABELS = {
    "modes": MODE_LABELS,
    "cadences": CADENCE_LABELS,
    "visibilities": VISIBILITY_LABELS,
    "families": FAMILIES,
    "types": TYPE_LABELS,
}


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
    if not FlaskForm().validate_on_submit():
        flash("This form had expired. Please try again.", "error")
        return redirect(url_for("homework.template_detail", template_id=template.id))
    copy = services.copy_template(current_user, template)
    db.session.commit()
    flash("Copied into your practice's library. Edit it here; the original stays as it was.")
    return redirect(url_for("homework.edit_template", template_id=copy.id))


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


def _builder(template=None):
    form = (
        TemplateForm(formdata=take_pending_form() or None)
        if request.method == "GET"
        else TemplateForm()
    )
    if request.method == "GET" and template is not None and not form.title.data:
        version = services.latest_version(template)
        fields = (
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
        form = TemplateForm(
            formdata=None,
            data={
                **{name: getattr(version, name) for name in fields},
                "prompts": prompt_rows_from(version.prompts),
            },
        )
    action = request.form.get("action", "save") if request.method == "POST" else ""
    preview = problems = None
    status = 200
    if action and action not in ("save", "preview"):
        form = _apply_action(form, action)
    elif action == "preview":
        preview, problems = _preview_prompts(form)
    elif action == "save":
        if form.validate_on_submit():
            try:
                if template is None:
                    saved = services.create_template(current_user, form.to_input())
                else:
                    services.save_new_version(current_user, template, form.to_input())
                    saved = template
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash("Saved as a new version. Homework already assigned keeps its version.")
                return redirect(url_for("homework.template_detail", template_id=saved.id))
        status = 422
    preview_form = answer_form_class(preview)(formdata=None) if preview else None
    return render_template(
        "homework/builder.html",
        form=form,
        template=template,
        preview=preview,
        preview_form=preview_form,
        problems=problems,
        preview_notices=_notices(preview or []),
        **LABELS,
    ), status


@bp.route("/templates/new", methods=["GET", "POST"])
@therapist_only
def new_template():
    return _builder()


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@therapist_only
def edit_template(template_id: int):
    template = policy.template_for_therapist_or_404(current_user, template_id)
    if not policy.can_edit_template(current_user, template):
        flash("Built-in exercises can't be changed. Copy it into your practice to edit it.")
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
