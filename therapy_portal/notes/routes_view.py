"""Reading a note (verified on every read), adding addenda, and the PDF download."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from therapy_portal import boundary, policy
from therapy_portal.cosigning import comments_on, cosignature_for
from therapy_portal.downloads import download_response
from therapy_portal.i18n import gettext
from therapy_portal.models.note_formats import ATTENDEES, FORMATS, MODALITIES, SERVICE_CODES
from therapy_portal.models.supervision import SignedKind
from therapy_portal.notes import addenda, commands, copies, editing, export, reading
from therapy_portal.notes.blueprint import bp, therapist_only
from therapy_portal.notes.forms import AddendumForm, PageForm, PartnerCopyForm
from therapy_portal.policy import partner_copy

bp.cli.add_command(commands.verify_signatures)


def _copy_form(note, posted: PartnerCopyForm | None = None) -> PartnerCopyForm:
    """The note's markable parts as checkboxes: as posted, or as saved."""
    form = posted or PartnerCopyForm(formdata=None)
    form.parts.choices = [
        SelectChoice(p.key, p.title)
        for p in partner_copy.note_parts(note, [a.position for a in note.addenda])
        if not p.fixed_reason
    ]
    if posted is None:
        form.parts.data = sorted(copies.marks([note.id]).get(note.id, ()))
    return form


def _detail_page(
    note_id: int,
    addendum_form: AddendumForm,
    status: int = 200,
    copy_form: PartnerCopyForm | None = None,
):
    """The note, verified; the view and any integrity failure are audited, whatever follows."""
    note, integrity = reading.view_note(current_user, note_id)
    page = render_template(
        "notes/detail.html",
        note=note,
        integrity=integrity,
        fmt=FORMATS[note.format],
        labels={"attendees": ATTENDEES, "service_code": SERVICE_CODES, "modality": MODALITIES},
        addendum_form=addendum_form,
        action_form=PageForm(),
        can_edit=policy.can_edit_note(current_user, note),
        can_add_addendum=policy.can_add_addendum(current_user, note),
        copy_form=_copy_form(note, copy_form),
        cosignature=cosignature_for(SignedKind.NOTE, note.id),
        comments=comments_on(note.id),
        fixed_parts=[
            p
            for p in partner_copy.note_parts(note, [a.position for a in note.addenda])
            if p.fixed_reason
        ],
    )
    return page, status


@bp.get("/notes/<int:note_id>")
@therapist_only
def detail(note_id: int):
    return _detail_page(note_id, AddendumForm(formdata=None))


@bp.post("/notes/<int:note_id>/addenda")
@therapist_only
def add_addendum(note_id: int):
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = AddendumForm()
    return editing.submit(
        form,
        lambda: addenda.add_addendum(
            current_user, note, form.kind.data, form.reason.data, form.body.data
        ),
        lambda refusal: _detail_page(note_id, form, editing.status_of(refusal)),
        done=gettext("Addendum signed and added."),
        then=url_for("notes.detail", note_id=note_id) + "#addenda",
    )


@bp.post("/notes/<int:note_id>/partner-copy")
@therapist_only
def mark_parts(note_id: int):
    """Set which parts of this note partner copies leave out (a draft or a signed note)."""
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = PartnerCopyForm()
    if not form.validate_on_submit():  # an expired form: show the choices as they were ticked
        return _detail_page(note_id, AddendumForm(formdata=None), 422, copy_form=form)
    return boundary.press(
        lambda: copies.set_marks(current_user, note, set(form.parts.data or ())),
        done=gettext("Saved: partner copies of this note leave out the parts you marked."),
        then=url_for("notes.detail", note_id=note_id) + "#partner-copies",
    )


@bp.get("/notes/<int:note_id>/pdf")
@therapist_only
def pdf(note_id: int):
    result = export.export_note_pdf(current_user, note_id)
    return download_response(result.pdf, result.filename)
