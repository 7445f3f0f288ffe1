"""Session notes: lists, start a note, edit and autosave a draft, insert the digest, sign."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.errors import Conflict, DomainError
from therapy_portal.i18n import gettext
from therapy_portal.models.notes import ExportKind, ExportStatus, RecordScope
from therapy_portal.notes import reading, services
from therapy_portal.notes.blueprint import bp, therapist_only
from therapy_portal.notes.editing import (
    conflict_panel,
    draft_submit,
    edit_page,
    load_form,
    saved_form_data,
)
from therapy_portal.notes.forms import NewNoteForm, PageForm, form_version, note_input


@bp.context_processor
def vocabulary() -> dict:
    """The notes area's typed vocabulary, for its templates to compare against."""
    return {"ExportKind": ExportKind, "ExportStatus": ExportStatus, "RecordScope": RecordScope}


@bp.get("/notes")
@therapist_only
@audit.reads("note.list")
def index():
    page = reading.list_notes(current_user, after=request.args.get("after", type=int))
    return render_template("notes/index.html", page=page, couple=None)


@bp.get("/couples/<int:couple_id>/notes")
@therapist_only
@audit.reads("note.list", "couple", "couple_id")
def couple_notes(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    page = reading.list_notes(
        current_user, couple=couple, after=request.args.get("after", type=int)
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
        return render_template("notes/new.html", form=form, couple=couple)
    return boundary.submit(
        form,
        lambda: services.create_note(current_user, couple, form.facts(form.format.data)),
        render=lambda: render_template("notes/new.html", form=form, couple=couple),
        status=422,
        done=gettext("Draft started. It saves as you type."),
        then=lambda note: url_for("notes.edit", note_id=note.id),
    )


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@therapist_only
@audit.reads("note.draft_view", "session_note", "note_id")
def edit(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = load_form(note)
    if request.method == "POST":
        return draft_submit(
            note,
            form,
            lambda: services.save_draft(*_draft_args(note, form)),
            done=gettext("Draft saved."),
            then=url_for("notes.edit", note_id=note.id),
        )
    if not policy.can_edit_note(current_user, note):
        flash(
            gettext("This note is signed: corrections are made with an addendum.")
            if note.is_signed
            else gettext("Only the therapist who wrote this draft can edit it.")
        )
        return redirect(url_for("notes.detail", note_id=note.id))
    form.process(data=saved_form_data(note))
    return edit_page(note, form)


def _draft_args(note, form) -> tuple:
    return current_user, note, note_input(form, note.format), form_version(form)


@bp.post("/notes/<int:note_id>/digest")
@therapist_only
def insert_digest(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = load_form(note)
    return draft_submit(
        note,
        form,
        lambda: services.insert_digest(*_draft_args(note, form)),
        done=gettext(
            "The since-last-session digest was added. Edit it as you need before signing."
        ),
        then=url_for("notes.edit", note_id=note.id) + "#digest",
    )


@bp.post("/notes/<int:note_id>/sign")
@therapist_only
def sign(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    if not confirm.given():
        return confirm.ask(
            title="Sign this note?",
            consequences=[
                "The note is saved as it is in the form, then locked with your signature.",
                "It can no longer be edited or deleted; corrections become addenda.",
            ],
            button="Sign the note",
            back=url_for("notes.edit", note_id=note.id),
        )
    form = load_form(note)
    return draft_submit(
        note,
        form,
        lambda: services.save_and_sign(*_draft_args(note, form)),
        done=gettext("The note is signed and locked. Corrections can be added as addenda."),
        then=url_for("notes.detail", note_id=note.id),
    )


@bp.post("/notes/<int:note_id>/autosave")
@therapist_only
def autosave(note_id: int):
    """JSON draft save (CSRF token in the X-CSRFToken header). 409 keeps both texts."""
    note = policy.note_for_therapist_or_404(current_user, note_id)
    payload = request.get_json(silent=True) or {}
    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
    form = load_form(note, MultiDict({k: str(v) for k, v in fields.items()}))
    if not form.validate():
        message = "Not saved: correct the marked fields."
        return jsonify(status="invalid", message=message, errors=form.errors), 422
    try:
        services.save_draft(*_draft_args(note, form))
    except DomainError as error:
        boundary.refused(error)
        return _autosave_refused(note, form, error)
    label = services.local_time_label(current_user)
    return jsonify(status="saved", version=note.version, message="Draft saved at " + label)


def _autosave_refused(note, form, error: DomainError):
    if isinstance(error, Conflict):  # `note` now reads what the other tab saved
        return jsonify(
            status="conflict",
            message=error.message,
            server_version=note.version,
            server=conflict_panel(note, form),
        ), 409
    return jsonify(status="refused", message=error.message, field=error.field), error.status


@bp.post("/notes/<int:note_id>/delete")
@therapist_only
def delete_draft(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    couple_id = note.couple_id
    if not PageForm().validate_on_submit():
        return redirect(url_for("notes.couple_notes", couple_id=couple_id))
    if not confirm.given():
        return confirm.ask(
            title="Delete this draft?",
            consequences=["The draft and everything written in it are deleted for good."],
            button="Delete the draft",
            back=url_for("notes.edit", note_id=note.id),
        )
    return boundary.press(
        lambda: services.delete_draft(current_user, note),
        done=gettext("The draft was deleted."),
        then=url_for("notes.couple_notes", couple_id=couple_id),
        back=url_for("notes.detail", note_id=note_id),
    )
