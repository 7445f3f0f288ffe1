"""ZIP exports with a progress page, records requests, and psychotherapy notes."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from wtforms import SelectChoice

from therapy_portal import audit, policy, storage
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error
from therapy_portal.notes import copies, jobs, records, services
from therapy_portal.notes.formats import AUTHORIZATION_METHODS
from therapy_portal.notes.forms import (
    AuthorizationForm,
    PageForm,
    PrivateNoteForm,
    RangeExportForm,
    ReleaseForm,
)
from therapy_portal.notes.routes import bp, therapist_only
from therapy_portal.notes.routes_view import download_response


def _launch(start):
    """Create the job, commit, start the build, and show its progress page."""
    try:
        job = start()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    jobs.launch(job.id)
    return redirect(url_for("notes.export_status", export_id=job.id))


@bp.post("/couples/<int:couple_id>/notes/export")
@therapist_only
def export_couple(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    if PageForm().validate_on_submit():
        started = _launch(lambda: jobs.start_couple_export(current_user, couple))
        if started is not None:
            return started
    return redirect(url_for("notes.couple_notes", couple_id=couple_id))


@bp.route("/notes/export", methods=["GET", "POST"])
@therapist_only
def export_range():
    form = RangeExportForm()
    if form.validate_on_submit():
        try:
            job = jobs.start_range_export(current_user, form.date_from.data, form.date_to.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            jobs.launch(job.id)
            return redirect(url_for("notes.export_status", export_id=job.id))
    status = 422 if request.method == "POST" else 200
    return render_template("notes/export_range.html", form=form), status


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
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("notes.export_status", export_id=export_id))
    db.session.commit()
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


@bp.post("/couples/<int:couple_id>/records/authorizations")
@therapist_only
def record_authorization(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = _authorization_form(couple)
    if form.validate_on_submit():
        try:
            records.record_authorization(
                current_user,
                couple,
                form.partner_label.data,
                form.method.data,
                form.authorized_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Authorization recorded.")
            return redirect(url_for("notes.records_request", couple_id=couple_id))
    return _records_page(couple, form, 422)


@bp.get("/couples/<int:couple_id>/records/partner-<any(A, B):label>")
@therapist_only
def copy_preview(couple_id: int, label: str):
    """Exactly what partner <label>'s copy holds if released now, with the release button."""
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    shown = copies.preview(current_user, couple, label)
    options = records.release_options(couple, records.authorizations(couple))
    db.session.commit()  # the preview is audited
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
    if form.validate_on_submit():
        scope, previewed = form.scope.data, form.fingerprint.data
        started = _launch(lambda: records.start_release(current_user, couple, scope, previewed))
        if started is not None:
            return started
        if scope in ("A", "B"):
            return redirect(url_for("notes.copy_preview", couple_id=couple_id, label=scope))
    else:
        flash("Choose what to release.", "error")
    return redirect(url_for("notes.records_request", couple_id=couple_id))


@bp.route("/couples/<int:couple_id>/private-notes", methods=["GET", "POST"])
@therapist_only
@audit.reads("psychotherapy_note.list", "couple", "couple_id")
def private_notes(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = PrivateNoteForm()
    if request.method == "GET":
        form.session_date.data = services.practice_today(current_user)
    if form.validate_on_submit():
        try:
            records.add_private_note(current_user, couple, form.session_date.data, form.body.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Psychotherapy note kept. Only you can see it.")
            return redirect(url_for("notes.private_notes", couple_id=couple_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "notes/private_notes.html",
        couple=couple,
        form=form,
        notes=records.private_notes(current_user, couple),
    ), status


@bp.route("/private-notes/<int:private_note_id>", methods=["GET", "POST"])
@therapist_only
@audit.reads("psychotherapy_note.view", "psychotherapy_note", "private_note_id")
def private_note(private_note_id: int):
    note = policy.psychotherapy_note_for_author_or_404(current_user, private_note_id)
    form = PrivateNoteForm(obj=note) if request.method == "GET" else PrivateNoteForm()
    if form.validate_on_submit():
        try:
            records.update_private_note(current_user, note, form.session_date.data, form.body.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Psychotherapy note saved.")
            return redirect(url_for("notes.private_notes", couple_id=note.couple_id))
    status = 422 if request.method == "POST" else 200
    return render_template("notes/private_note.html", note=note, form=form), status
