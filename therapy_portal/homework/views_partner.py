"""A partner answering homework: the answer page, the draft endpoint for autosave, conflicts."""

from __future__ import annotations

import secrets

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import audit, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.errors import DomainError, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error
from therapy_portal.homework import services
from therapy_portal.homework.forms import answer_form_class
from therapy_portal.homework.prompts import VISIBILITY_NOTICES, prompt_type_for
from therapy_portal.homework.routes import bp
from therapy_portal.homework.services.common import (
    as_multidict,
    clean_fields,
    practice_today,
    raw_text,
)
from therapy_portal.models import Role

partner_only = policy.requires(Role.CLIENT)
JOINT_NOTICE = (
    "This is one shared answer for the two of you: you, your partner and your "
    "therapist can all see it, and either of you can edit it."
)

RELEASED_BEFORE_NOTICE = (
    "Your therapist shared the answer you submitted before with your partner, who can still "
    "see it. What you submit now stays between you and your therapist until your therapist "
    "shares it again."
)


def _version_of(view) -> int:
    return view.own.version if view.own is not None else 0


def _form(view, formdata=None, version: int | None = None, key: str | None = None):
    form_class = answer_form_class(view.prompts)
    draft = view.own.draft if view.own is not None else {}
    source = formdata if formdata is not None else as_multidict(draft)
    form = form_class(formdata=source if source else None)
    form.version.data = str(_version_of(view) if version is None else version)
    form.idempotency_key.data = key or secrets.token_urlsafe(24)
    return form


def _notice(view, key: str) -> str:
    """Who sees this answer, phrased from what the policy says the partner reads now."""
    if view.response_label == "J":
        return JOINT_NOTICE
    visibility = view.assignment.visibility.get(key, "therapist_only")
    if not view.shared_now.get(key):
        return VISIBILITY_NOTICES[visibility]
    if view.own.is_submitted:
        return "Your partner can see this answer now."
    if visibility == "released_by_therapist":
        return RELEASED_BEFORE_NOTICE
    return "Your partner can see the answer you submitted before. " + VISIBILITY_NOTICES[visibility]


def _render(view, form, status: int = 200, unsaved: dict | None = None):
    notices = {p["key"]: _notice(view, p["key"]) for p in view.prompts}
    display = {p["key"]: prompt_type_for(p) for p in view.prompts}
    return render_template(
        "homework/answer.html",
        view=view,
        form=form,
        notices=notices,
        display=display,
        today=practice_today(current_user),
        action_form=FlaskForm(),
        draft_text=raw_text(view.prompts, view.own.draft if view.own else {}),
        conflicts=[(c, raw_text(view.prompts, c.fields)) for c in view.conflicts],
        unsaved=unsaved or {},
    ), status


@bp.get("/<int:occurrence_id>")
@partner_only
@audit.reads("homework.answer_view", "occurrence", "occurrence_id")
def answer(occurrence_id: int):
    view = services.open_for_partner(current_user, occurrence_id)
    pending = take_pending_form()
    if pending is None:
        form = _form(view)
    else:
        # Text kept from a session that ended: keep the version it was based on, so a newer
        # save from elsewhere is caught as a conflict rather than overwritten.
        based_on = pending.get("version", "")
        form = _form(
            view,
            formdata=pending,
            version=int(based_on) if based_on.isdigit() else None,
            key=pending.get("idempotency_key") or None,
        )
        form.form_errors.append(
            "We restored what you typed before your session ended. "
            "It isn't saved yet: choose Save draft or Submit."
        )
    page = _render(view, form)
    db.session.commit()  # the audit event of viewing the partner's answers, after rendering
    return page


@bp.post("/<int:occurrence_id>")
@partner_only
def answer_post(occurrence_id: int):
    submitting = request.form.get("action") == "submit"
    form_in = request.form
    try:
        version = int(form_in.get("version", "-1"))
    except ValueError:
        version = -1
    key = form_in.get("idempotency_key", "")
    try:
        if not FlaskForm().validate_on_submit():
            raise ValidationFailed(
                "This form had expired, so nothing was saved yet. "
                "Everything you typed is still below: save it again."
            )
        if submitting:
            result = services.submit(current_user, occurrence_id, form_in, version, key)
        else:
            result = services.save_draft(current_user, occurrence_id, form_in, version)
    except DomainError as error:
        db.session.rollback()
        view = services.open_for_partner(current_user, occurrence_id, audit_view=False)
        form = _form(view, formdata=form_in, version=version, key=key)
        attach_error(form, error)
        # A locked answer has no form to refill: show what they typed so it can be copied.
        unsaved = (
            raw_text(view.prompts, clean_fields(view.prompts, form_in)) if view.blocked else None
        )
        return _render(view, form, 409 if error.status == 409 else 422, unsaved)
    db.session.commit()
    view = services.open_for_partner(current_user, occurrence_id, audit_view=False)
    if result.conflict is not None:
        form = _form(view)
        form.form_errors.append(
            "This answer was changed in another window or device. The saved version is in the "
            "form; the text from this window is kept below, so nothing was lost."
        )
        return _render(view, form, 409)
    if result.errors:
        form = _form(view, formdata=form_in, key=key)
        form.validate()
        form.form_errors.append(
            "Your answer was saved as a draft but not submitted yet: "
            "please check the marked questions."
        )
        return _render(view, form, 422)
    # A repeated submit (a double click) answers as the first one did.
    flash("Submitted. Your therapist will see your answers." if submitting else "Draft saved.")
    return redirect(url_for("homework.answer", occurrence_id=occurrence_id))


@bp.route("/<int:occurrence_id>/draft", methods=["GET", "POST"])
@partner_only
@audit.reads("homework.draft_read", "occurrence", "occurrence_id")
def draft(occurrence_id: int):
    """JSON for the autosave script: the partner's own draft, or a save of it."""
    if request.method == "GET":
        view = services.open_for_partner(current_user, occurrence_id, audit_view=False)
        own = view.own
        return jsonify(
            version=_version_of(view),
            fields=own.draft if own else {},
            status=own.status if own else "draft",
            editable=view.can_edit,
        )
    policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    payload = request.get_json(silent=True)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("fields"), dict)
        or not isinstance(payload.get("version"), int)
    ):
        return jsonify(
            error="bad_request",
            message="We couldn't read that save. Your text is still on the page.",
        ), 400
    result = services.save_draft(current_user, occurrence_id, payload["fields"], payload["version"])
    db.session.commit()
    if result.conflict is not None:
        return jsonify(
            error="conflict",
            version=result.response.version,
            fields=result.response.draft,
            yours=result.conflict.fields,
            message="This answer was changed in another window. Reload the page to see both "
            "versions; the text from this window is kept.",
        ), 409
    return jsonify(version=result.response.version, saved_at=result.response.updated_at.isoformat())


@bp.post("/<int:occurrence_id>/conflicts/<int:draft_conflict_id>/dismiss")
@partner_only
def dismiss_conflict(occurrence_id: int, draft_conflict_id: int):
    policy.occurrence_for_partner_or_404(current_user, occurrence_id)
    if FlaskForm().validate_on_submit():
        services.dismiss_conflict(current_user, draft_conflict_id)
        db.session.commit()
        flash("The kept copy was put away.")
    return redirect(url_for("homework.answer", occurrence_id=occurrence_id))
