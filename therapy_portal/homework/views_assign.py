"""Assigning homework to a couple, and the couple's homework: reschedule, extend, cancel."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.homework import services
from therapy_portal.homework.forms import DueDateForm, ExtendForm, assign_form_class
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services.common import practice_today
from therapy_portal.homework.wording import LABELS, VISIBILITY_LABELS
from therapy_portal.i18n import gettext
from therapy_portal.measures import goal_links
from therapy_portal.models import Role
from therapy_portal.models.vocabulary import Cadence

therapist_only = policy.requires(Role.THERAPIST)
ASSIGNED = "Homework assigned. Each partner has been emailed that something is waiting."
CANCELLED = "Cancelled. The partners see it as cancelled; anything they wrote is kept."
CANCEL_QUESTION = {
    "title": "Cancel this assignment?",
    "consequences": [
        "Partners will see it as cancelled and can no longer answer.",
        "Anything they wrote is kept. A cancelled assignment can't be started again.",
    ],
    "button": "Cancel the assignment",
}


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
        once = version.default_cadence == Cadence.ONCE
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
    form.goal_id.choices = [SelectChoice("", gettext("No goal"))] + [
        SelectChoice(str(g.id), g.label) for g in goal_links.current_goals(current_user, couple.id)
    ]
    return form


def _choose(couple) -> ResponseReturnValue:
    """Step one of assigning: pick an exercise from the library."""
    family = request.args.get("family") or None
    page = services.list_library(current_user, family, request.args.get("after", type=int))
    return render_template(
        "homework/assign_choose.html", couple=couple, page=page, family=family or ""
    )


def _assign_input(form, version) -> services.AssignInput:
    return services.AssignInput(
        version_id=version.id,
        mode=form.mode.data,
        due_on=form.due_on.data,
        cadence=form.cadence.data,
        ends_on=form.ends_on.data,
        note=form.note.data or "",
        visibility={p["key"]: form[f"vis_{p['key']}"].data for p in version.prompts},
        goal_id=form.goal_id.data,
    )


@bp.route("/couples/<int:couple_id>/assign", methods=["GET", "POST"])
@therapist_only
@audit.reads("assignment.new_form", "couple", "couple_id")
def assign(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    template_id = request.args.get("template_id", type=int)
    if template_id is None:
        return _choose(couple)
    template = policy.template_for_therapist_or_404(current_user, template_id)
    version = services.latest_version(template)
    posted = request.method == "POST"
    form = _assign_form(version, couple, request.form if posted else take_pending_form())
    page = {"form": form, "couple": couple, "version": version, "template": template}
    if not posted:
        return render_template("homework/assign.html", **page, **LABELS)
    return boundary.submit(
        form,
        lambda: services.assign(current_user, couple, _assign_input(form, version)),
        render=lambda: (render_template("homework/assign.html", **page, **LABELS), 422),
        then=lambda assignment: url_for("homework.assignment_detail", assignment_id=assignment.id),
        done=ASSIGNED,
    )


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


def _flashed_back(form: FlaskForm, back: str):
    """How a small form on the assignment page answers a mistake: its messages, flashed, and
    back to the page (the boundary has undone a refusal already)."""

    def render() -> ResponseReturnValue:
        for errors in form.errors.values():
            for error in errors if isinstance(errors, list) else [errors]:
                flash(str(error), "error")
        return redirect(back)

    return render


def _detail(assignment_id: int) -> str:
    return url_for("homework.assignment_detail", assignment_id=assignment_id)


@bp.post("/assignments/<int:assignment_id>/cancel")
@therapist_only
def cancel_assignment(assignment_id: int):
    assignment = policy.assignment_for_therapist_or_404(current_user, assignment_id)
    back = _detail(assignment.id)
    if not confirm.given():
        return confirm.ask(**CANCEL_QUESTION, back=back)
    form = FlaskForm()
    return boundary.submit(
        form,
        lambda: services.cancel(current_user, assignment),
        render=_flashed_back(form, back),
        then=back,
        done=CANCELLED,
        status=302,
    )


@bp.post("/assignments/<int:assignment_id>/extend")
@therapist_only
def extend_assignment(assignment_id: int):
    assignment = policy.assignment_for_therapist_or_404(current_user, assignment_id)
    form, back = ExtendForm(), _detail(assignment.id)
    return boundary.submit(
        form,
        lambda: services.extend(current_user, assignment, form.ends_on.data),
        render=_flashed_back(form, back),
        then=back,
        done=gettext("Extended. The new days are on the partners' lists."),
        status=302,
    )


@bp.post("/occurrences/<int:occurrence_id>/due")
@therapist_only
def change_due(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    form, back = DueDateForm(), _detail(occurrence.assignment_id)
    return boundary.submit(
        form,
        lambda: services.change_due_date(current_user, occurrence, form.due_on.data),
        render=_flashed_back(form, back),
        then=back,
        done=gettext("Due date changed."),
        status=302,
    )
