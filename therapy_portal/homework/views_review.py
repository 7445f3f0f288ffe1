"""The therapist's review: the queue, the side-by-side page, feedback, review, return, release."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, boundary, policy
from therapy_portal.formtools import csrf_expired
from therapy_portal.homework import services
from therapy_portal.homework.forms import FeedbackForm, QualityForm, ReturnForm
from therapy_portal.homework.prompts import prompt_type_for
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services.common import practice_today
from therapy_portal.homework.wording import LABELS
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.models.homework import Occurrence
from therapy_portal.models.vocabulary import Audience

therapist_only = policy.requires(Role.THERAPIST)
RETURN_NEEDS_A_NOTE = "Returning an answer needs a note saying what to add."


@bp.get("/review")
@therapist_only
@audit.reads("homework.review_queue_view")
def review_queue():
    queue = services.review_queue(current_user, request.args.get("after", type=int))
    return render_template("homework/queue.html", queue=queue, today=practice_today(current_user))


def _feedback_form(occurrence: Occurrence, formdata=None) -> FeedbackForm:
    form = FeedbackForm(formdata=formdata)
    form.prompt_key.choices = [SelectChoice("", gettext("The whole exercise"))] + [
        SelectChoice(p["key"], p["label"]) for p in occurrence.assignment.version.prompts
    ]
    names = {label: m.user.name for label, m in services.members_of(occurrence.couple_id).items()}
    form.audience.choices = [SelectChoice(Audience.BOTH, gettext("Both partners"))] + [
        SelectChoice(label, f"Partner {label} only ({names[label]})") for label in sorted(names)
    ]
    return form


def _quality_form(occurrence: Occurrence, formdata=None) -> QualityForm:
    """As posted, or filled with the saved ratings; each partner named."""
    saved = {} if formdata else services.ratings_of(occurrence)
    form = QualityForm(formdata=formdata, data={f"quality_{k}": v for k, v in saved.items()})
    for label, member in services.members_of(occurrence.couple_id).items():
        getattr(form, f"quality_{label}").label.text = f"Partner {label} ({member.user.name})"
    return form


def _review_page(
    occurrence_id: int, feedback_form=None, return_form=None, status: int = 200, quality_form=None
) -> ResponseReturnValue:
    """The review page, read through the loader (again, after a refusal undid the request)."""
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    view = services.review_view(current_user, occurrence)
    return render_template(
        "homework/review.html",
        view=view,
        action_form=FlaskForm(),
        feedback_form=feedback_form or _feedback_form(occurrence),
        return_form=return_form or ReturnForm(formdata=None),
        quality_form=quality_form or _quality_form(occurrence),
        display={p["key"]: prompt_type_for(p) for p in view.prompts},
        can_release={
            label: policy.can_release(r, view.assignment) for label, r in view.responses.items()
        },
        **LABELS,
    ), status


@bp.get("/occurrences/<int:occurrence_id>/review")
@therapist_only
def review(occurrence_id: int):
    return _review_page(occurrence_id)


def _back(occurrence_id: int) -> str:
    return url_for("homework.review", occurrence_id=occurrence_id)


@bp.post("/occurrences/<int:occurrence_id>/feedback")
@therapist_only
def give_feedback(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    form = _feedback_form(occurrence, request.form)
    return boundary.submit(
        form,
        lambda: services.add_feedback(
            current_user, occurrence, form.body.data, form.audience.data, form.prompt_key.data
        ),
        render=lambda: _review_page(occurrence_id, feedback_form=form, status=422),
        then=_back(occurrence_id),
        done=gettext("Feedback sent. Only the partners you chose can read it."),
    )


def _press(occurrence_id: int, perform, done: str) -> ResponseReturnValue:
    """A review button: an expired form does nothing; a refusal is flashed."""
    back = _back(occurrence_id)
    if csrf_expired():
        return redirect(back)
    return boundary.press(perform, then=back, done=done)


@bp.post("/occurrences/<int:occurrence_id>/reviewed")
@therapist_only
def mark_reviewed(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    return _press(
        occurrence.id,
        lambda: services.mark_reviewed(current_user, occurrence),
        "Marked as reviewed.",
    )


@bp.post("/occurrences/<int:occurrence_id>/quality")
@therapist_only
def rate_quality(occurrence_id: int):
    occurrence = policy.occurrence_for_therapist_or_404(current_user, occurrence_id)
    form = _quality_form(occurrence, request.form)
    return boundary.submit(
        form,
        lambda: services.rate_homework(current_user, occurrence, form.ratings()),
        render=lambda: _review_page(occurrence_id, quality_form=form, status=422),
        then=_back(occurrence_id),
        done=gettext(
            "Rating saved. It shows on the couple's overview and in the next note's digest."
        ),
    )


def _return_again(occurrence_id: int, form: ReturnForm) -> ResponseReturnValue:
    form.form_errors.append(RETURN_NEEDS_A_NOTE)
    return _review_page(occurrence_id, return_form=form, status=422)


@bp.post("/responses/<int:homework_response_id>/return")
@therapist_only
def return_response(homework_response_id: int):
    response = policy.homework_response_for_therapist_or_404(current_user, homework_response_id)
    occurrence_id, form = response.occurrence_id, ReturnForm()
    return boundary.submit(
        form,
        lambda: services.return_response(current_user, response, form.note.data),
        render=lambda: _return_again(occurrence_id, form),
        then=_back(occurrence_id),
        done=gettext("Returned with your note. The partner can add to it and submit again."),
    )


@bp.post("/responses/<int:homework_response_id>/release")
@therapist_only
def release_response(homework_response_id: int):
    response = policy.homework_response_for_therapist_or_404(current_user, homework_response_id)
    return _press(
        response.occurrence_id,
        lambda: services.release_response(current_user, response),
        "Released. The other partner can now read the answers you held back.",
    )


@bp.get("/responses/<int:homework_response_id>/questionnaire-response.json")
@therapist_only
def response_fhir(homework_response_id: int):
    response = policy.homework_response_for_therapist_or_404(current_user, homework_response_id)
    body = services.export_response(current_user, response)
    return Response(
        body,
        mimetype="application/fhir+json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="questionnaire-response-{response.id}.json"'
            )
        },
    )
