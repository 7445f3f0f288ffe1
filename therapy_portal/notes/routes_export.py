"""ZIP exports with a progress page, records requests, and psychotherapy notes."""

from __future__ import annotations

import json

from flask import flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from wtforms import SelectChoice

from therapy_portal import audit, boundary, policy, storage
from therapy_portal.downloads import download_response
from therapy_portal.errors import DomainError
from therapy_portal.i18n import gettext
from therapy_portal.models.note_formats import AUTHORIZATION_METHODS
from therapy_portal.notes import copies, fhir_bundle, jobs, records, services
from therapy_portal.notes.blueprint import bp, therapist_only
from therapy_portal.notes.forms import (
    AuthorizationForm,
    PageForm,
    PrivateNoteForm,
    RangeExportForm,
    ReleaseForm,
)
from therapy_portal.policy import consent_status


def _status_url(job) -> str:
    return url_for("notes.export_status", export_id=job.id)


@bp.post("/couples/<int:couple_id>/notes/export")
@therapist_only
def export_couple(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    back = url_for("notes.couple_notes", couple_id=couple_id)
    if not PageForm().validate_on_submit():
        return redirect(back)
    return boundary.press(
        lambda: jobs.launch_after_commit(jobs.start_couple_export(current_user, couple)),
        then=_status_url,
        back=back,
    )


@bp.route("/notes/export", methods=["GET", "POST"])
@therapist_only
def export_range():
    form = RangeExportForm()
    if request.method == "GET":
        return render_template("notes/export_range.html", form=form)
    return boundary.submit(
        form,
        lambda: jobs.launch_after_commit(
            jobs.start_range_export(current_user, form.date_from.data, form.date_to.data)
        ),
        render=lambda: render_template("notes/export_range.html", form=form),
        status=422,
        then=_status_url,
    )


@bp.get("/notes/exports/<int:export_id>")
@therapist_only
@audit.reads("note_export.status_view", "note_export", "export_id")
def export_status(export_id: int):
    job = policy.export_for_requester_or_404(current_user, export_id)
    state = jobs.progress(job)
    return render_template(
        "notes/export_status.html", job=job, state=state, expires_at=jobs.expires_at(job)
    )


@bp.get("/notes/exports/<int:export_id>/progress")
@therapist_only
def export_progress(export_id: int):
    job = policy.export_for_requester_or_404(current_user, export_id)
    return jsonify(jobs.progress(job))


@bp.get("/notes/exports/<int:export_id>/download")
@therapist_only
def export_download(export_id: int):
    job = policy.export_for_requester_or_404(current_user, export_id)
    try:
        record = jobs.download(current_user, job)
    except DomainError as error:
        boundary.refused(error)
        flash(error.message, "error")
        return redirect(url_for("notes.export_status", export_id=export_id))
    response = download_response(
        stream_with_context(storage.stream(record)),
        f"session-notes-{job.id}.zip",
        "application/zip",
    )
    response.content_length = record.size
    return response


def _records_page(couple, auth_form: AuthorizationForm, status: int = 200):
    rows = records.authorizations(couple)
    return render_template(
        "notes/records.html",
        couple=couple,
        authorizations=rows,
        form=auth_form,
        options=records.release_options(couple, rows),
        release_form=ReleaseForm(),
        methods=AUTHORIZATION_METHODS,
        consents=consent_status.for_therapist(couple),
    ), status


def _authorization_form(couple) -> AuthorizationForm:
    form = AuthorizationForm()
    form.partner_label.choices = [
        SelectChoice(m.label, f"Partner {m.label}: {m.user.name}") for m in couple.members
    ]
    return form


@bp.get("/couples/<int:couple_id>/records")
@therapist_only
@audit.reads("records.view", "couple", "couple_id")
def records_request(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = _authorization_form(couple)
    form.authorized_on.data = services.practice_today(current_user)
    return _records_page(couple, form)


def _note_pdf_url(note_id: int) -> str:
    return url_for("notes.pdf", note_id=note_id, _external=True)


@bp.get("/couples/<int:couple_id>/records/fhir-bundle.json")
@therapist_only
def records_fhir(couple_id: int):
    """The full record for another system (FHIR Bundle); released like the full record."""
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    try:
        bundle = fhir_bundle.export_bundle(current_user, couple, _note_pdf_url)
    except DomainError as error:
        boundary.refused(error)
        flash(error.message, "error")
        return redirect(url_for("notes.records_request", couple_id=couple_id))
    body = json.dumps(bundle, ensure_ascii=False, indent=1)
    return download_response(body, "record-fhir-bundle.json", "application/fhir+json")


@bp.post("/couples/<int:couple_id>/records/authorizations")
@therapist_only
def record_authorization(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = _authorization_form(couple)
    return boundary.submit(
        form,
        lambda: records.record_authorization(
            current_user,
            couple,
            form.partner_label.data,
            form.method.data,
            form.authorized_on.data,
        ),
        render=lambda: _records_page(couple, form, 422),
        done=gettext("Authorization recorded."),
        then=url_for("notes.records_request", couple_id=couple_id),
    )


@bp.get("/couples/<int:couple_id>/records/partner-<any(A, B):label>")
@therapist_only
def copy_preview(couple_id: int, label: str):
    """Exactly what partner <label>'s copy holds if released now, with the release button."""
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    shown = copies.preview(current_user, couple, label)  # audited
    options = records.release_options(couple, records.authorizations(couple))
    return render_template(
        "notes/copy_preview.html",
        couple=couple,
        preview=shown,
        authorized=label in options.authorized,
        release_form=ReleaseForm(formdata=None, scope=label, fingerprint=shown.fingerprint),
    )


@bp.post("/couples/<int:couple_id>/records/release")
@therapist_only
def release_record(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = ReleaseForm()
    if not form.validate_on_submit():
        flash(gettext("Choose what to release."), "error")
        return redirect(url_for("notes.records_request", couple_id=couple_id))
    scope, previewed = form.scope.data, form.fingerprint.data
    back = (
        url_for("notes.copy_preview", couple_id=couple_id, label=scope)
        if scope in ("A", "B")
        else url_for("notes.records_request", couple_id=couple_id)
    )
    return boundary.press(
        lambda: jobs.launch_after_commit(
            records.start_release(current_user, couple, scope, previewed)
        ),
        then=_status_url,
        back=back,
    )


def _private_notes_page(couple, form: PrivateNoteForm, status: int = 200):
    return render_template(
        "notes/private_notes.html",
        couple=couple,
        form=form,
        notes=records.private_notes(current_user, couple),
    ), status


@bp.route("/couples/<int:couple_id>/private-notes", methods=["GET", "POST"])
@therapist_only
@audit.reads("psychotherapy_note.list", "couple", "couple_id")
def private_notes(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = PrivateNoteForm()
    if request.method == "GET":
        form.session_date.data = services.practice_today(current_user)
        return _private_notes_page(couple, form)
    return boundary.submit(
        form,
        lambda: records.add_private_note(
            current_user, couple, form.session_date.data, form.body.data
        ),
        render=lambda: _private_notes_page(couple, form, 422),
        done=gettext("Psychotherapy note kept. Only you can see it."),
        then=url_for("notes.private_notes", couple_id=couple_id),
    )


@bp.route("/private-notes/<int:private_note_id>", methods=["GET", "POST"])
@therapist_only
@audit.reads("psychotherapy_note.view", "psychotherapy_note", "private_note_id")
def private_note(private_note_id: int):
    note = policy.psychotherapy_note_for_author_or_404(current_user, private_note_id)
    if request.method == "GET":
        form = PrivateNoteForm(obj=note)
        return render_template("notes/private_note.html", note=note, form=form)
    form = PrivateNoteForm()
    return boundary.submit(
        form,
        lambda: records.update_private_note(
            current_user, note, form.session_date.data, form.body.data
        ),
        render=lambda: (render_template("notes/private_note.html", note=note, form=form), 422),
        done=gettext("Psychotherapy note saved."),
        then=url_for("notes.private_notes", couple_id=note.couple_id),
    )
