"""A partner answering homework: the answer page, the draft endpoint for autosave, conflicts."""

from __future__ import annotations

import secrets

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import audit, boundary, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.errors import DomainError, NotAllowed
from therapy_portal.formtools import attach_error
from therapy_portal.homework import services
from therapy_portal.homework.exercise_text import for_person
from therapy_portal.homework.forms import AnswerBase, answer_form_class
from therapy_portal.homework.photo_images import MAX_BYTES, MAX_PHOTOS
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services import photos
from therapy_portal.homework.services.common import as_multidict, practice_today, raw_text
from therapy_portal.homework.wording import CADENCE_WORDS, answer_notice
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import Role
from therapy_portal.models.vocabulary import ResponseStatus
from therapy_portal.policy import PartnerSeat

partner_only = policy.requires(Role.CLIENT)
SUBMITTED = N_("Submitted. Your therapist will see your answers.")
SAVED = N_("Draft saved.")
RESTORED = N_(
    "We restored what you typed before your session ended. "
    "It isn't saved yet: choose Save draft or Submit."
)
CHANGED_ELSEWHERE = N_(
    "This answer was changed in another window or device. The saved version is in the "
    "form; the text from this window is kept below, so nothing was lost."
)
NOT_SUBMITTED = N_(
    "Your answer was saved as a draft but not submitted yet: please check the marked questions."
)
PHOTO_REFUSED = N_(
    "A photo could not be attached (see the question). Everything else was saved as a draft."
)
#: Three photos at the size limit, with room for the text of the answer.
UPLOAD_REQUEST_LIMIT = MAX_PHOTOS * (MAX_BYTES + 64 * 1024) + 2_000_000
BAD_SAVE = N_("We couldn't read that save. Your text is still on the page.")
CONFLICT_JSON = N_(
    "This answer was changed in another window. Reload the page to see both "
    "versions; the text from this window is kept."
)


def _saved_form(view: services.PartnerView, formdata=None, *, version=None, key=None):
    """The answer form showing the saved draft, or ``formdata`` (text kept from elsewhere)."""
    source = formdata if formdata is not None else as_multidict(view.own.draft if view.own else {})
    form = view.text.label_choices(answer_form_class(view.prompts)(formdata=source or None))
    form.version.data = str(view.version if version is None else version)
    form.idempotency_key.data = key or secrets.token_urlsafe(24)
    return form


def _page(view: services.PartnerView, form: AnswerBase, status: int = 200, unsaved=None):
    return render_template(
        "homework/answer.html",
        view=view,
        form=form,
        notices={p["key"]: answer_notice(view, p["key"]) for p in view.prompts},
        display={p["key"]: view.text.shown(p) for p in view.prompts},
        today=practice_today(current_user),
        action_form=FlaskForm(),
        draft_text=raw_text(view.prompts, view.own.draft if view.own else {}),
        conflicts=[(c, raw_text(view.prompts, c.fields)) for c in view.conflicts],
        unsaved=unsaved or {},
        cadence_words=CADENCE_WORDS,
        photos=photos.attached([view.own.id]).get(view.own.id, {}) if view.own else {},
    ), status


def _restored_form(view: services.PartnerView, pending) -> AnswerBase:
    """Text kept from a session that ended, based on the version it started from, so a newer
    save from elsewhere is caught as a conflict rather than overwritten."""
    based_on = pending.get("version", "")
    form = _saved_form(
        view,
        pending,
        version=int(based_on) if based_on.isdigit() else None,
        key=pending.get("idempotency_key") or None,
    )
    form.form_errors.append(gettext(RESTORED))
    return form


@bp.get("/<int:occurrence_id>")
@partner_only
@audit.reads("homework.answer_view", "occurrence", "occurrence_id")
def answer(occurrence_id: int):
    seat = policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    view = services.open_for_partner(current_user, seat)
    pending = take_pending_form()
    return _page(view, _saved_form(view) if pending is None else _restored_form(view, pending))


def _refused(occurrence_id: int, form: AnswerBase, error: DomainError) -> ResponseReturnValue:
    """The page again after a refusal, with what was typed. The request's changes are undone,
    so the page data is read again."""
    boundary.refused(error)
    seat = policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    view = services.open_for_partner(current_user, seat, audit_view=False)
    attach_error(form, error)
    # A locked answer has no form to refill: show what they typed so it can be copied.
    unsaved = raw_text(view.prompts, form.typed()) if view.blocked else None
    return _page(view, form, 409 if error.status == 409 else 422, unsaved)


def _shown_again(answered: services.Answered, form: AnswerBase) -> ResponseReturnValue:
    """A save that kept a conflict copy, or a submit saved as a draft with mistakes: the page
    again (what was stored is committed by the request boundary)."""
    view = answered.view
    if answered.result.conflict is not None:
        form = _saved_form(view)
        form.form_errors.append(gettext(CHANGED_ELSEWHERE))
        return _page(view, form, 409)
    form.version.data = str(view.version)
    attached = photos.photo_fields(view.prompts, view.own)
    for defn in photos.photo_prompts(view.prompts):  # photos count as attached, not as posted
        name = f"p_{defn['key']}"
        form[name].raw_data = form[name].data = attached.get(name, [])
    if answered.submitting:
        form.validate()  # the mistakes, next to their fields
    for name, messages in answered.photo_errors.items():
        form[name].errors = [*form[name].errors, *messages]
    form.form_errors.append(gettext(NOT_SUBMITTED if answered.submitting else PHOTO_REFUSED))
    return _page(view, form, 422)


@bp.post("/<int:occurrence_id>")
@partner_only
def answer_post(occurrence_id: int):
    seat = policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    request.max_content_length = UPLOAD_REQUEST_LIMIT  # photos; text-only posts stay small
    text = for_person(seat.assignment.version, current_user)
    form = text.label_choices(answer_form_class(text.prompts)())
    try:
        answered = services.answer(current_user, seat, form.posted())
    except NotAllowed:
        raise
    except DomainError as error:
        return _refused(occurrence_id, form, error)
    if not answered.done:
        return _shown_again(answered, form)
    # A repeated submit (a double click) answers as the first one did.
    flash(gettext(SUBMITTED if answered.submitting else SAVED))
    return redirect(url_for("homework.answer", occurrence_id=occurrence_id))


def _draft_json(view: services.PartnerView):
    own = view.own
    return jsonify(
        version=view.version,
        fields=own.draft if own else {},
        status=own.status if own else ResponseStatus.DRAFT,
        editable=view.can_edit,
    )


def _save_json(seat: PartnerSeat, payload) -> ResponseReturnValue:
    result = services.save_draft(current_user, seat, payload["fields"], payload["version"])
    if result.conflict is None:
        return jsonify(
            version=result.response.version, saved_at=result.response.updated_at.isoformat()
        )
    return jsonify(
        error="conflict",
        version=result.response.version,
        fields=result.response.draft,
        yours=result.conflict.fields,
        message=gettext(CONFLICT_JSON),
    ), 409


def _readable(payload) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("fields"), dict)
        and isinstance(payload.get("version"), int)
    )


@bp.route("/<int:occurrence_id>/draft", methods=["GET", "POST"])
@partner_only
@audit.reads("homework.draft_read", "occurrence", "occurrence_id")
def draft(occurrence_id: int):
    """JSON for the autosave script: the partner's own draft, or a save of it."""
    seat = policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    if request.method == "GET":
        return _draft_json(services.open_for_partner(current_user, seat, audit_view=False))
    payload = request.get_json(silent=True)
    if not _readable(payload):
        return jsonify(error="bad_request", message=gettext(BAD_SAVE)), 400
    return _save_json(seat, payload)


@bp.post("/<int:occurrence_id>/conflicts/<int:draft_conflict_id>/dismiss")
@partner_only
def dismiss_conflict(occurrence_id: int, draft_conflict_id: int):
    policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    back = url_for("homework.answer", occurrence_id=occurrence_id)
    if not FlaskForm().validate_on_submit():  # an expired button does nothing
        return redirect(back)
    conflict = policy.conflict_for_partner_or_404(current_user, draft_conflict_id)
    return boundary.press(
        lambda: services.dismiss_conflict(current_user, conflict),
        then=back,
        done=gettext("The kept copy was put away."),
    )
