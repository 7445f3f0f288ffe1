"""Consents. A partner reads, signs and withdraws their own (`/consents/<consent_kind>`) and
downloads their own signed copy; a therapist downloads any signed consent of a couple they treat."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.consents import documents, services
from therapy_portal.consents.forms import SignForm
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.policy import consents as rules

bp = Blueprint("consents", __name__)
partner_only = policy.requires(Role.CLIENT)


def pdf_response(result: documents.SignedPdf) -> Response:
    """A download with no names in the filename, never cached, never sniffed."""
    response = Response(result.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/consents")
@partner_only
@audit.reads("consent.list_view")
def partner_index():
    member = policy.membership_for_partner_or_404(current_user)
    page = services.for_partner(current_user, member)
    return render_template("consents/partner_index.html", page=page, member=member)


def _document_page(kind: str, form: SignForm):
    member = rules.member_for_partner_or_404(current_user, kind)
    page = services.for_partner(current_user, member)
    own = next(c for c in page.own if c.kind == kind)
    return render_template(
        "consents/document.html",
        own=own,
        other=page.other.get(kind),
        version=page.versions[kind],
        form=form,
        action_form=FlaskForm(),
    )


@bp.get("/consents/<consent_kind>")
@partner_only
@audit.reads("consent.view", "consent_document")
def document(consent_kind: str):
    return _document_page(consent_kind, SignForm(formdata=None))


@bp.post("/consents/<consent_kind>/sign")
@partner_only
def sign(consent_kind: str):
    member = rules.member_for_partner_or_404(current_user, consent_kind)
    form = SignForm()
    return boundary.submit(
        form,
        lambda: services.sign(current_user, member, consent_kind, form.typed_name.data),
        render=lambda: _document_page(consent_kind, form),
        then=url_for("consents.document", consent_kind=consent_kind),
        done=gettext("Signed. Thank you: a copy is kept with your record."),
    )


@bp.post("/consents/<consent_kind>/withdraw")
@partner_only
def withdraw(consent_kind: str):
    member = rules.member_for_partner_or_404(current_user, consent_kind)
    back = url_for("consents.document", consent_kind=consent_kind)
    if not FlaskForm().validate_on_submit():
        return boundary.press(lambda: None, then=back)
    if not confirm.given():
        return _ask_to_withdraw(back)
    return boundary.press(
        lambda: services.withdraw(current_user, member, consent_kind),
        then=back,
        done=gettext("Your consent is withdrawn. You can sign again at any time."),
    )


@bp.get("/consents/signed/<int:signature_id>/pdf")
@partner_only
def own_pdf(signature_id: int):
    signature = rules.own_signature_or_404(current_user, signature_id)
    member = policy.membership_for_partner_or_404(current_user)
    return pdf_response(documents.signature_pdf(current_user, member.couple, signature))


@bp.get("/couples/<int:couple_id>/consents/<int:signature_id>/pdf")
@policy.requires(Role.THERAPIST)
def therapist_pdf(couple_id: int, signature_id: int):
    couple, signature = rules.signature_for_therapist_or_404(current_user, couple_id, signature_id)
    return pdf_response(documents.signature_pdf(current_user, couple, signature))


def _ask_to_withdraw(back: str):
    return confirm.ask(
        title=gettext("Withdraw this consent?"),
        consequences=[
            gettext(
                "It stops counting at once: what needs it (for example online sessions) "
                "can't go ahead until you sign again."
            ),
            gettext("Your therapist will see that you withdrew it. What was done before stays."),
        ],
        button=gettext("Withdraw my consent"),
        back=back,
    )
