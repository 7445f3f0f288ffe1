"""Session notes: lists, start a note, edit and autosave a draft, insert the digest, sign."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from therapy_portal import audit, policy
from therapy_portal.errors import Conflict, DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error
from therapy_portal.models import Role
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes import services
from therapy_portal.notes.formats import FORMATS
from therapy_portal.notes.forms import (
    NewNoteForm,
    PageForm,
    form_version,
    note_form_class,
    note_input,
)

bp = Blueprint("notes", __name__)
therapist_only = policy.requires(Role.THERAPIST)


@bp.get("/notes")
@therapist_only
@audit.reads("note.list")
def index():
    page = services.list_notes(current_user, page=request.args.get("page", 1, type=int))
    return render_template("notes/index.html", page=page, couple=None)


@bp.get("/couples/<int:couple_id>/notes")
@therapist_only
@audit.reads("note.list", "couple", "couple_id")
def couple_notes(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    page = services.list_notes(
        current_user, couple=couple, page=request.args.get("page", 1, type=int)
    )
    return render_template("notes/index.html", page=page, couple=couple, action_form=PageForm())


@bp.route("/couples/<int:couple_id>/notes/new", methods=["GET", "POST"])
@therapist_only
@audit.reads("note.new_form", "couple", "couple_id")
def new(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = NewNoteForm()
    if request.method == "GET":
        form.session_date.data = services.practice_today(current_user)
    if form.validate_on_submit():
        try:
            note = services.create_note(current_user, couple, form.facts(form.format.data))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Draft started. It saves as you type.")
            return redirect(url_for("notes.edit", note_id=note.id))
    status = 422 if request.method == "POST" else 200
    return render_template("notes/new.html", form=form, couple=couple), status


def _edit_page(note: SessionNote, form, status: int = 200, conflict: dict | None = None):
    return render_template(
        "notes/edit.html",
        note=note,
        form=form,
        fmt=FORMATS[note.format],
        conflict=conflict,
        action_form=PageForm(),
    ), status


def _load_form(note: SessionNote, formdata: MultiDict | None = None):
    form_class = note_form_class(note.format)
    if formdata is not None:
        return form_class(formdata=formdata, meta={"csrf": False})
    return form_class()


def _saved_values(note: SessionNote) -> dict:
    values = {f"section_{k}": v for k, v in (note.sections or {}).items()}
    values.update(
        interventions=note.interventions,
        risk_screening=note.risk_screening,
        next_session=note.next_session,
        digest=note.digest,
    )
    return values


def _conflict_panel(note: SessionNote, form) -> dict:
    """The saved version's text next to the user's, labelled, to combine by hand."""
    saved = _saved_values(note)
    return {
        "version": note.version,
        "fields": [(getattr(form, name).label.text, text) for name, text in saved.items() if text],
    }


def _save(note: SessionNote, form, action):
    """Validate and run `action(form)`; re-render with everything typed on any refusal."""
    if not form.validate_on_submit():
        return _edit_page(note, form, 422)
    try:
        action(form)
    except Conflict as error:
        db.session.rollback()
        note = policy.note_for_therapist_or_404(current_user, note.id)
        attach_error(form, error)
        panel = _conflict_panel(note, form)
        form.version.data = str(note.version)  # the next save goes over the version shown
        return _edit_page(note, form, 409, panel)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _edit_page(note, form, 422 if error.status == 422 else 409)
    db.session.commit()
    return None


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@therapist_only
@audit.reads("note.draft_view", "session_note", "note_id")
def edit(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = _load_form(note)
    if request.method == "GET":
        if not policy.can_edit_note(current_user, note):
            flash(
                "This note is signed: corrections are made with an addendum."
                if note.is_signed
                else "Only the therapist who wrote this draft can edit it."
            )
            return redirect(url_for("notes.detail", note_id=note.id))
        form.process(
            data={
                **_saved_values(note),
                "session_date": note.session_date,
                "start_time": note.start_time,
                "end_time": note.end_time,
                "attendees": note.attendees,
                "service_code": note.service_code,
                "modality": note.modality,
                "version": str(note.version),
            }
        )
        return _edit_page(note, form)
    refused = _save(
        note,
        form,
        lambda f: services.save_draft(
            current_user, note, note_input(f, note.format), form_version(f)
        ),
    )
    if refused is not None:
        return refused
    flash("Draft saved.")
    return redirect(url_for("notes.edit", note_id=note.id))


@bp.post("/notes/<int:note_id>/digest")
@therapist_only
def insert_digest(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = _load_form(note)
    refused = _save(
        note,
        form,
        lambda f: services.insert_digest(
            current_user, note, note_input(f, note.format), form_version(f)
        ),
    )
    if refused is not None:
        return refused
    flash("The since-last-session digest was added. Edit it as you need before signing.")
    return redirect(url_for("notes.edit", note_id=note.id) + "#digest")


@bp.post("/notes/<int:note_id>/sign")
@therapist_only
def sign(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = _load_form(note)

    def save_and_sign(f) -> None:
        services.save_draft(current_user, note, note_input(f, note.format), form_version(f))
        services.sign_note(current_user, note)

    refused = _save(note, form, save_and_sign)
    if refused is not None:
        return refused
    flash("The note is signed and locked. Corrections can be added as addenda.")
    return redirect(url_for("notes.detail", note_id=note.id))


@bp.post("/notes/<int:note_id>/autosave")
@therapist_only
def autosave(note_id: int):
    """JSON draft save (CSRF token in the X-CSRFToken header). 409 keeps both texts."""
    note = policy.note_for_therapist_or_404(current_user, note_id)
    payload = request.get_json(silent=True) or {}
    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
    form = _load_form(note, MultiDict({k: str(v) for k, v in fields.items()}))
    if not form.validate():
        return jsonify(
            status="invalid", message="Not saved: correct the marked fields.", errors=form.errors
        ), 422
    try:
        services.save_draft(current_user, note, note_input(form, note.format), form_version(form))
    except Conflict as error:
        db.session.rollback()
        note = policy.note_for_therapist_or_404(current_user, note_id)
        return jsonify(
            status="conflict",
            message=error.message,
            server_version=note.version,
            server=_conflict_panel(note, form),
        ), 409
    except DomainError as error:
        db.session.rollback()
        return jsonify(status="refused", message=error.message, field=error.field), error.status
    db.session.commit()
    return jsonify(
        status="saved",
        version=note.version,
        message="Draft saved at " + services.local_time_label(current_user),
    )


@bp.post("/notes/<int:note_id>/delete")
@therapist_only
def delete_draft(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    couple_id = note.couple_id
    if PageForm().validate_on_submit():
        try:
            services.delete_draft(current_user, note)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("notes.detail", note_id=note_id))
        db.session.commit()
        flash("The draft was deleted.")
    return redirect(url_for("notes.couple_notes", couple_id=couple_id))


from therapy_portal.notes import demo, routes_export, routes_view  # noqa: E402, F401
