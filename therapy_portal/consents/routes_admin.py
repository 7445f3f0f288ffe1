"""The practice's consent documents, for its admin: the current text of each, its versions,
and publishing a new version (old versions and their signatures never change)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from therapy_portal import audit, boundary, policy
from therapy_portal.consents import services
from therapy_portal.consents.forms import PublishForm
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.models.consents import KIND_LABELS, ConsentKind

bp = Blueprint("consent_documents", __name__)
admin_only = policy.requires(Role.ADMIN)


@bp.get("/admin/consents")
@admin_only
@audit.reads("consent.documents_view")
def documents():
    versions = services.current_versions(current_user.practice_id)
    return render_template(
        "consents/admin_index.html", versions=versions, kinds=list(ConsentKind), labels=KIND_LABELS
    )


def _edit_page(kind: str, form: PublishForm | None = None):
    if kind not in tuple(ConsentKind):
        abort(404)
    versions = services.history(current_user.practice_id, kind)
    if form is None:
        form = PublishForm(formdata=None, title=versions[0].title, body=versions[0].body)
    return render_template(
        "consents/admin_edit.html", kind=kind, label=KIND_LABELS[kind], versions=versions, form=form
    )


@bp.get("/admin/consents/<consent_kind>")
@admin_only
@audit.reads("consent.document_view", "consent_document")
def edit(consent_kind: str):
    return _edit_page(consent_kind)


@bp.post("/admin/consents/<consent_kind>")
@admin_only
def publish(consent_kind: str):
    form = PublishForm()
    return boundary.submit(
        form,
        lambda: services.publish(
            current_user, consent_kind, form.title.data, form.body.data, form.material.data
        ),
        render=lambda: _edit_page(consent_kind, form),
        then=url_for("consent_documents.edit", consent_kind=consent_kind),
        done=gettext(
            "New version published. Earlier versions and signatures are kept as they were."
        ),
    )
