"""The admin's couples pages: care teams, and break-glass access to one couple's record."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, boundary, policy
from therapy_portal.admin import emergency, reassign
from therapy_portal.admin.forms_couples import CareTeamForm, EmergencyAccessForm
from therapy_portal.caseload import care_team
from therapy_portal.caseload.listing import primary_therapist_id
from therapy_portal.caseload.services import practice_therapists
from therapy_portal.i18n import gettext
from therapy_portal.models import Role

bp = Blueprint("admin_couples", __name__, url_prefix="/admin")
admin_only = policy.requires(Role.ADMIN)


@bp.route("/couples", methods=["GET", "POST"])
@admin_only
def couples():
    couples = emergency.couples_of_practice(current_user)
    form = EmergencyAccessForm()
    form.couple_id.choices = [SelectChoice(0, gettext("Choose a couple"))] + [
        SelectChoice(c.id, c.display_name) for c in couples
    ]
    unstaffed = reassign.unstaffed(current_user, couples)
    page = partial(
        render_template, "admin/couples.html", couples=couples, form=form, unstaffed=unstaffed
    )
    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: emergency.start(current_user, form.couple_id.data, form.reason.data),
        render=page,
        then=lambda grant: url_for("admin_couples.emergency_record", grant_id=grant.id),
        done=gettext("Emergency access is open. Every page you read is recorded."),
        status=422,
    )


@bp.route("/couples/<int:couple_id>/care-team", methods=["GET", "POST"])
@admin_only
@audit.reads("couple.care_team_view", "couple", "couple_id")
def care_team_edit(couple_id: int):
    couple = policy.couple_for_admin_or_404(current_user, couple_id)
    form = _care_team_form(couple)
    page = partial(render_template, "admin/care_team.html", couple=couple, form=form)
    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: care_team.change(current_user, couple, _wanted(form)),
        render=page,
        then=url_for("admin_couples.couples"),
        done=gettext("Care team saved. The therapists and both partners were told."),
        status=422,
    )


def _wanted(form: CareTeamForm) -> care_team.CareTeam:
    return care_team.CareTeam(
        form.co_therapist_id.data or None,
        form.confidentiality_policy.data,
        form.policy_agreed_on.data,
    )


def _care_team_form(couple) -> CareTeamForm:
    now = care_team.current(couple)
    form = CareTeamForm(
        data={
            "co_therapist_id": now.co_therapist_id or 0,
            "confidentiality_policy": now.confidentiality_policy,
            "policy_agreed_on": now.policy_agreed_on,
        }
    )
    primary = primary_therapist_id(couple)
    form.co_therapist_id.choices = [SelectChoice(0, gettext("No co-therapist"))] + [
        SelectChoice(t.id, t.display_with_credentials)
        for t in practice_therapists(current_user)
        if t.id != primary
    ]
    return form


@bp.get("/emergency/<int:grant_id>")
@admin_only
def emergency_record(grant_id: int):
    record = emergency.read_record(current_user, grant_id)
    return render_template("admin/emergency.html", record=record, action_form=FlaskForm())


@bp.post("/emergency/<int:grant_id>/end")
@admin_only
def emergency_end(grant_id: int):
    return boundary.press(
        lambda: emergency.end(current_user, grant_id),
        then=url_for("admin_couples.couples"),
        done=gettext("Emergency access ended."),
    )
