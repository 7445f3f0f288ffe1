"""Assigning homework to a couple, and the couple's homework: reschedule, extend, cancel."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.homework import services
from therapy_portal.homework.forms import DueDateForm, ExtendForm, assign_form_class
from therapy_portal.homework.prompts import CADENCE_LABELS, MODE_LABELS, VISIBILITY_LABELS
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import Role

therapist_only = policy.requires(Role.THERAPIST)
LABELS = {"modes": MODE_LABELS, "cadences": CADENCE_LABELS, "visibilities": VISIBILITY_LABELS}


@bp.get("/couples/<int:couple_id>")
@therapist_only
@audit.reads("homework.couple_view", "couple", "couple_id")
def couple_homework(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    rows = services.couple_assignments(current_user, couple)
    counts = services.counts_for_couples(current_user, [couple.id]).get(couple.id)
    return render_template(
        "homework/couple.html",
        couple=couple,
        rows=rows,
        counts=counts,
        today=practice_today(current_user),
        **LABELS,
    )


def _assign_form(version, couple, formdata):
    form_class = assign_form_class(version.prompts)
    if formdata is None:
        today = practice_today(current_user)
        days = version.suggested_duration_days
        once = version.default_cadence == "once"
        data = {
            "mode": version.default_mode,
            "cadence": version.default_cadence,
            "due_on": today + timedelta(days=days if once else 1),
            "ends_on": None if once else today + timedelta(days=days),
        }
        for prompt in version.prompts:
            data[f"vis_{prompt['key']}"] = policy.default_visibility(
                couple.confidentiality_policy, prompt["visibility"]
            )
        form = form_class(formdata=None, data=data)
    else:
        form = form_class(formdata=formdata)
    for prompt in version.prompts:
        field = form[f"vis_{prompt['key']}"]
        allowed = [
            v
            for v in VISIBILITY_LABELS
            if policy.visibility_problem(couple.confidentiality_policy, prompt["visibility"], v)
            is None
        ]
        field.choices = [SelectChoice(v, VISIBILITY_LABELS[v]) for v in allowed]
    return form


@bp.route("/couples/<int:couple_id>/assign", methods=["GET", "POST"])
@therapist_only
@audit.reads("assignment.new_form", "couple", "couple_id")
def assign(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    template_id = request.args.get("template_id", type=int)
    if template_id is None:
        page = services.list_library(
            current_user, request.args.get("family") or None, request.args.get("page", 1, type=int)
        )
        return render_template(
            "homework/assign_choose.html",
            couple=couple,
            page=page,
            family=request.args.get("family", ""),
        )
    template = policy.template_for_therapist_or_404(current_user, template_id)
    version = services.latest_version(template)
    if request.method == "GET":
        form = _assign_form(version, couple, take_pending_form())
    else:
        form = _assign_form(version, couple, request.form)
    if request.method == "POST" and form.validate_on_submit():
        data = services.AssignInput(
            version_id=version.id,
            mode=form.mode.data,
            due_on=form.due_on.data,
            cadence=form.cadence.data,
            ends_on=form.ends_on.data,
            note=form.note.data or "",
            visibility={p["key"]: form[f"vis_{p['key']}"].data for p in version.prompts},
        )
        try:
            assignment = services.assign(current_user, couple, data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Homework assigned. Each partner has been emailed that something is waiting.")
            return redirect(url_for("homework.assignment_detail", assignment_id=assignment.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "homework/assign.html",
        couple=couple,
        version=version,
        form=form,
        template=template,
        **LABELS,
    ), status


@bp.get("/assignments/<int:assignment_id>")
@therapist_only
@audit.reads("assignment.view", "assignment", "assignment_id")
def assignment_detail(assignment_id: int):
    assignment = policy.assignment_for_therapist_or_404(current_user, assignment_id)
    rows = services.assignment_occurrences(current_user, assignment)
    return render_template(
        "homework/assignment.html",
        assignment=assignment,
        rows=rows,
        action_form=FlaskForm(),
        due_form=DueDateForm(formdata=None),
        extend_form=ExtendForm(formdata=None),
        today=practice_today(current_user),
        **LABELS,
    )


def _back(assignment_id: int):
    return redirect(url_for("homework.assignment_detail", assignment_id=assignment_id))


def _run(form, assignment_id: int, action, message: str):
    """Run a small action: a clear message either way, then back to the assignment."""
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _back(assignment_id)
    run_action(action, message)
    return _back(assignment_id)


@bp.post("/assignments/<int:assignment_id>/cancel")
@therapist_only
def cancel_assignment(assignment_id: int):
    assignment = policy.assignment_for_therapist_or_404(current_user, assignment_id)
    return _run(
        FlaskForm(),
        assignment.id,
        lambda: services.cancel(current_user, assignment),
        "Cancelled. The partners see it as cancelled; anything they wrote is kept.",
    )


@bp.post("/assignments/<int:assignment_id>/extend")
@therapist_only
def extend_assignment(assignment_id: int):
    assignment = policy.assignment_for_therapist_or_404(current_user, assignment_id)
    form = ExtendForm()
    return _run(
        form,
        assignment.id,
        lambda: services.extend(current_user, assignment, form.ends_on.data),
        "Extended. The new days are on the partners' lists.",
    )


@bp.post("/occurrences/<int:occurrence_id>/due")
@therapist_only
def change_due(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    form = DueDateForm()
    return _run(
        form,
        occurrence.assignment_id,
        lambda: services.change_due_date(current_user, occurrence, form.due_on.data),
        "Due date changed.",
    )
