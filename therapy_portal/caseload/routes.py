"""The therapist's caseload: list, add, view, edit, close and reopen couples."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.caseload import listing, services
from therapy_portal.caseload.access_log import who_has_seen
from therapy_portal.caseload.forms import CoupleForm, PartnerForm, SearchForm
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.models import Role

bp = Blueprint("caseload", __name__, url_prefix="/couples")
therapist_only = policy.requires(Role.THERAPIST)


def _co_therapist_choices(form: CoupleForm, primary_id: int) -> None:
    others = [t for t in services.practice_therapists(current_user) if t.id != primary_id]
    form.co_therapist_id.choices = [SelectChoice(0, "No co-therapist")] + [
        SelectChoice(t.id, t.display_with_credentials) for t in others
    ]


@bp.route("", methods=["GET", "POST"])
@therapist_only
@audit.reads("caseload.view")
def index():
    # The search term is a name, so it lives in the session, never in the URL.
    search = SearchForm(data=session.get("caseload_filter", {}))
    if request.method == "POST" and search.validate_on_submit():
        session["caseload_filter"] = {"q": search.q.data or "", "status": search.status.data}
        return redirect(url_for("caseload.index"))
    filters = session.get("caseload_filter", {})
    page = listing.list_caseload(
        current_user,
        q=filters.get("q", ""),
        status=filters.get("status", "active"),
        page=request.args.get("page", 1, type=int),
    )
    from therapy_portal.homework.services import counts_for_couples as homework_counts
    from therapy_portal.measures.services import open_safety_alerts

    return render_template(
        "caseload/index.html",
        page=page,
        search=search,
        filters=filters,
        safety_alerts=open_safety_alerts(current_user),
        homework_counts=homework_counts(current_user, [c.id for c in page.couples]),
    )


@bp.post("/search/clear")
@therapist_only
def clear_search():
    if FlaskForm().validate_on_submit():
        session.pop("caseload_filter", None)
    return redirect(url_for("caseload.index"))


@bp.route("/new", methods=["GET", "POST"])
@therapist_only
def create():
    form = (
        CoupleForm(formdata=take_pending_form() or None)
        if request.method == "GET"
        else CoupleForm()
    )
    _co_therapist_choices(form, current_user.id)
    if request.method == "POST" and form.validate_on_submit():
        try:
            couple = services.create_couple(current_user, form.to_input())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Couple added. Each partner has been sent their own invitation.")
            return redirect(url_for("caseload.detail", couple_id=couple.id))
    status = 422 if request.method == "POST" else 200
    return render_template("caseload/form.html", form=form, couple=None), status


@bp.get("/<int:couple_id>")
@therapist_only
def detail(couple_id: int):
    couple = services.view_couple(current_user, couple_id)
    db.session.commit()
    return render_template(
        "caseload/detail.html",
        couple=couple,
        action_form=FlaskForm(),
        can_edit=policy.can_edit_couple(current_user, couple),
        can_see_access_log=policy.can_see_access_log(current_user, couple),
        invitations=listing.invitation_status(couple),
    )


@bp.get("/<int:couple_id>/access-log")
@therapist_only
def access_log(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    viewers = who_has_seen(current_user, couple)
    db.session.commit()
    return render_template("caseload/access_log.html", couple=couple, viewers=viewers)


@bp.route("/<int:couple_id>/edit", methods=["GET", "POST"])
@therapist_only
@audit.reads("couple.edit_view", "couple", "couple_id")
def edit(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = CoupleForm(obj=listing.form_data(couple)) if request.method == "GET" else CoupleForm()
    _co_therapist_choices(form, listing.primary_therapist_id(couple))
    can_change_team = policy.can_change_care_team(current_user, couple)
    if not can_change_team:  # shown as text; the service refuses any other value anyway
        form.keep_care_team(listing.form_data(couple))
    if request.method == "POST" and form.validate_on_submit():
        try:
            update = services.update_couple(current_user, couple, form.to_input())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Changes saved.")
            for label in update.revoked_labels:
                flash(
                    f"Partner {label}'s email address changed, so the invitation sent to the old "
                    "address no longer works. Send a new invitation with "
                    f"\u201cRe-send invitation\u201d under Partner {label}.",
                    "warning",
                )
            return redirect(url_for("caseload.detail", couple_id=couple.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "caseload/form.html", form=form, couple=couple, can_change_team=can_change_team
    ), status


@bp.route("/<int:couple_id>/partners/new", methods=["GET", "POST"])
@therapist_only
@audit.reads("couple.add_partner_form", "couple", "couple_id")
def add_partner(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            services.add_second_partner(
                current_user, couple, services.PartnerInput(form.name.data, form.email.data)
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Partner added and invited.")
            return redirect(url_for("caseload.detail", couple_id=couple.id))
    status = 422 if request.method == "POST" else 200
    return render_template("caseload/add_partner.html", form=form, couple=couple), status


def _couple_action(couple_id: int, action, message: str):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    if FlaskForm().validate_on_submit():
        run_action(lambda: action(couple), message)
    return redirect(url_for("caseload.detail", couple_id=couple.id))


@bp.post("/<int:couple_id>/close")
@therapist_only
def close(couple_id: int):
    return _couple_action(
        couple_id,
        lambda c: services.close_couple(current_user, c),
        "The couple is closed. You can reopen it at any time.",
    )


@bp.post("/<int:couple_id>/reopen")
@therapist_only
def reopen(couple_id: int):
    return _couple_action(
        couple_id, lambda c: services.reopen_couple(current_user, c), "The couple is active again."
    )


@bp.post("/<int:couple_id>/partners/<label>/resend")
@therapist_only
def resend_invitation(couple_id: int, label: str):
    return _couple_action(
        couple_id,
        lambda c: services.resend_invitation(current_user, c, label.upper()[:1]),
        "A new invitation was sent. The previous link no longer works.",
    )
