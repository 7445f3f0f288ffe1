"""The admin's couples pages: care teams, and break-glass access to one couple's record."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, policy
from therapy_portal.admin import emergency
from therapy_portal.admin.forms_couples import CareTeamForm, EmergencyAccessForm
from therapy_portal.caseload import care_team
from therapy_portal.caseload.listing import primary_therapist_id
from therapy_portal.caseload.services import practice_therapists
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.models import Role

bp = Blueprint("admin_couples", __name__, url_prefix="/admin")
admin_only = policy.requires(Role.ADMIN)


@bp.route("/couples", methods=["GET", "POST"])
@admin_only
def couples():
    couples = emergency.couples_of_practice(current_user)
    form = EmergencyAccessForm()
    form.couple_id.choices = [SelectChoice(0, "Choose a couple")] + [
        SelectChoice(c.id, c.display_name) for c in couples
    ]
    if form.validate_on_submit():
        try:
            grant = emergency.start(current_user, form.couple_id.data, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Emergency access is open. Every page you read is recorded.")
            return redirect(url_for("admin_couples.emergency_record", grant_id=grant.id))
    db.session.commit()  # the listing's audit event
    status = 422 if form.is_submitted() else 200
    return render_template("admin/couples.html", couples=couples, form=form), status


@bp.route("/couples/<int:couple_id>/care-team", methods=["GET", "POST"])
@admin_only
@audit.reads("couple.care_team_view", "couple", "couple_id")
def care_team_edit(couple_id: int):
    couple = policy.couple_for_admin_or_404(current_user, couple_id)
    now = care_team.current(couple)
    form = CareTeamForm(
        data={
            "co_therapist_id": now.co_therapist_id or 0,
            "confidentiality_policy": now.confidentiality_policy,
            "policy_agreed_on": now.policy_agreed_on,
        }
    )
    primary = primary_therapist_id(couple)
    form.co_therapist_id.choices = [SelectChoice(0, "No co-therapist")] + [
        SelectChoice(t.id, t.display_with_credentials)
        for t in practice_therapists(current_user)
        if t.id != primary
    ]
    if form.validate_on_submit():
        wanted = care_team.CareTeam(
            form.co_therapist_id.data or None,
            form.confidentiality_policy.data,
            form.policy_agreed_on.data,
        )
        try:
            care_team.change(current_user, couple, wanted)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Care team saved. The therapists and both partners were told.")
            return redirect(url_for("admin_couples.couples"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/care_team.html", couple=couple, form=form), status


@bp.get("/emergency/<int:grant_id>")
@admin_only
def emergency_record(grant_id: int):
    record = emergency.read_record(current_user, grant_id)
    db.session.commit()
    return render_template("admin/emergency.html", record=record, action_form=FlaskForm())


@bp.post("/emergency/<int:grant_id>/end")
@admin_only
def emergency_end(grant_id: int):
    if FlaskForm().validate_on_submit():
        run_action(lambda: emergency.end(current_user, grant_id), "Emergency access ended.")
    return redirect(url_for("admin_couples.couples"))
