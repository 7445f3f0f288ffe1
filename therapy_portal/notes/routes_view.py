"""Reading a note (verified on every read), adding addenda, and the PDF download."""

from __future__ import annotations

import click
from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from therapy_portal import policy
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.notes import copies, export, services, verification
from therapy_portal.notes.formats import ATTENDEES, FORMATS, MODALITIES, SERVICE_CODES
from therapy_portal.notes.forms import AddendumForm, PageForm, PartnerCopyForm
from therapy_portal.notes.routes import bp, therapist_only
from therapy_portal.policy import partner_copy


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
    note, integrity = services.view_note(current_user, note_id)
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
        fixed_parts=[
            p
            for p in partner_copy.note_parts(note, [a.position for a in note.addenda])
            if p.fixed_reason
        ],
    )
    db.session.commit()  # the view and any integrity failure are audited, whatever follows
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
    if form.validate_on_submit():
        try:
            services.add_addendum(
                current_user, note, form.kind.data, form.reason.data, form.body.data
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            return _detail_page(note_id, form, 422 if error.status == 422 else 409)
        db.session.commit()
        flash("Addendum signed and added.")
        return redirect(url_for("notes.detail", note_id=note_id) + "#addenda")
    return _detail_page(note_id, form, 422)


@bp.post("/notes/<int:note_id>/partner-copy")
@therapist_only
def mark_parts(note_id: int):
    """Set which parts of this note partner copies leave out (a draft or a signed note)."""
    note = policy.note_for_therapist_or_404(current_user, note_id)
    form = PartnerCopyForm()
    if not form.validate_on_submit():  # an expired form: show the choices as they were ticked
        return _detail_page(note_id, AddendumForm(formdata=None), 422, copy_form=form)
    run_action(
        lambda: copies.set_marks(current_user, note, set(form.parts.data or ())),
        "Saved: partner copies of this note leave out the parts you marked.",
    )
    return redirect(url_for("notes.detail", note_id=note_id) + "#partner-copies")


@bp.get("/notes/<int:note_id>/pdf")
@therapist_only
def pdf(note_id: int):
    result = export.export_note_pdf(current_user, note_id)
    db.session.commit()
    return download_response(result.pdf, result.filename)


def download_response(data, filename: str, mimetype: str = "application/pdf") -> Response:
    """A download (bytes or an iterator of them) with no names in the filename, never cached,
    never sniffed."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.cli.command("verify-signatures")
@click.option("--fail-if-none", is_flag=True, help="Fail when there is no signed note to check.")
def verify_signatures(fail_if_none: bool) -> None:
    """Check every signed note and addendum against its signature (e.g. after a restore)."""
    report = verification.verify_signed_notes()
    db.session.commit()
    if not report.ok:
        ids = ", ".join(str(note_id) for note_id in report.failed_ids)
        raise click.ClickException(
            f"{len(report.failed_ids)} of {report.checked} signed notes fail their signature "
            f"check (note ids {ids}). Is NOTE_SIGNING_KEY the key they were signed with?"
        )
    if fail_if_none and not report.checked:
        raise click.ClickException("There is no signed note to check.")
    click.echo(f"{report.checked} signed notes checked: every signature verifies.")
