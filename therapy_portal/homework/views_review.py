"""The therapist's review: the queue, the side-by-side page, feedback, review, return, release."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, policy
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.homework import fhir, services
from therapy_portal.homework.forms import FeedbackForm, ReturnForm
from therapy_portal.homework.prompts import MODE_LABELS, VISIBILITY_LABELS, prompt_type_for
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import Role
from therapy_portal.models.homework import Occurrence

therapist_only = policy.requires(Role.THERAPIST)


@bp.get("/review")
@therapist_only
@audit.reads("homework.review_queue_view")
def review_queue():
    queue = services.review_queue(current_user, request.args.get("page", 1, type=int))
    return render_template("homework/queue.html", queue=queue, today=practice_today(current_user))


def _feedback_form(prompts, members, formdata=None) -> FeedbackForm:
    form = FeedbackForm(formdata=formdata) if formdata is not None else FeedbackForm(formdata=None)
    form.prompt_key.choices = [SelectChoice("", "The whole exercise")] + [
        SelectChoice(p["key"], p["label"]) for p in prompts
    ]
    names = {label: m.user.name for label, m in members.items()}
    form.audience.choices = [SelectChoice("both", "Both partners")] + [
        SelectChoice(label, f"Partner {label} only ({names[label]})") for label in sorted(names)
    ]
    return form


def _render_review(view, feedback_form=None, return_form=None, status: int = 200):
    return render_template(
        "homework/review.html",
        view=view,
        action_form=FlaskForm(),
        feedback_form=feedback_form or _feedback_form(view.prompts, view.members),
        return_form=return_form or ReturnForm(formdata=None),
        display={p["key"]: prompt_type_for(p) for p in view.prompts},
        can_release={
            label: policy.can_release(r, view.assignment) for label, r in view.responses.items()
        },
        modes=MODE_LABELS,
        visibilities=VISIBILITY_LABELS,
    ), status


@bp.get("/occurrences/<int:occurrence_id>/review")
@therapist_only
def review(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    view = services.review_view(current_user, occurrence)
    page = _render_review(view)
    db.session.commit()  # the audit event of viewing answers, after rendering (no reloads)
    return page


def _back(occurrence: Occurrence):
    return redirect(url_for("homework.review", occurrence_id=occurrence.id))


@bp.post("/occurrences/<int:occurrence_id>/feedback")
@therapist_only
def give_feedback(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    form = _feedback_form(
        occurrence.assignment.version.prompts,
        services.members_of(occurrence.couple_id),
        request.form,
    )
    if form.validate_on_submit():
        try:
            services.add_feedback(
                current_user,
                occurrence,
                form.body.data,
                form.audience.data,
                form.prompt_key.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Feedback sent. Only the partners you chose can read it.")
            return _back(occurrence)
    db.session.rollback()
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    page = _render_review(
        services.review_view(current_user, occurrence), feedback_form=form, status=422
    )
    db.session.commit()
    return page


def _simple(occurrence: Occurrence, action, message: str):
    if FlaskForm().validate_on_submit():
        run_action(action, message)
    return _back(occurrence)


@bp.post("/occurrences/<int:occurrence_id>/reviewed")
@therapist_only
def mark_reviewed(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    return _simple(
        occurrence, lambda: services.mark_reviewed(current_user, occurrence), "Marked as reviewed."
    )


@bp.post("/responses/<int:homework_response_id>/return")
@therapist_only
def return_response(homework_response_id: int):
    response = policy.homework_response_for_therapist_or_404(current_user, homework_response_id)
    occurrence_id = response.occurrence_id
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            services.return_response(current_user, response, form.note.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Returned with your note. The partner can add to it and submit again.")
            return _back(occurrence)
    db.session.rollback()
    form.form_errors.append("Returning an answer needs a note saying what to add.")
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    page = _render_review(
        services.review_view(current_user, occurrence), return_form=form, status=422
    )
    db.session.commit()
    return page


@bp.post("/responses/<int:homework_response_id>/release")
@therapist_only
def release_response(homework_response_id: int):
    response = policy.homework_response_for_therapist_or_404(current_user, homework_response_id)
    occurrence = policy.occurrence_for_therapist_or_404(current_user, response.occurrence_id)
    return _simple(
        occurrence,
        lambda: services.release_response(current_user, response),
        "Released. The other partner can now read the answers you held back.",
    )


@bp.get("/responses/<int:homework_response_id>/questionnaire-response.json")
@therapist_only
def response_fhir(homework_response_id: int):
    response = policy.homework_response_for_therapist_or_404(current_user, homework_response_id)
    occurrence = policy.occurrence_for_therapist_or_404(current_user, response.occurrence_id)
    assignment = occurrence.assignment
    answers = policy.visible_answers(
        current_user, None, assignment, assignment.version.prompts, response, None
    )
    body = json.dumps(
        fhir.questionnaire_response(assignment.version, response, answers),
        indent=2,
        ensure_ascii=False,
    )
    audit.record(
        "homework.export",
        actor=current_user,
        object_type="response",
        object_id=response.id,
        couple_id=response.couple_id,
        format="fhir",
    )
    db.session.commit()
    return Response(
        body,
        mimetype="application/fhir+json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="questionnaire-response-{response.id}.json"'
            )
        },
    )
