"""Check-ins: therapists schedule them and read progress; each partner answers their own."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

import therapy_portal.measures.checkin_reminders  # noqa: F401  (registers the reminder hook)
import therapy_portal.measures.demo  # noqa: F401  (registers the demo hook)
import therapy_portal.measures.digest  # noqa: F401  (registers the session-note digest provider)
from therapy_portal import audit, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.measures import INSTRUMENTS, progress, safety, services
from therapy_portal.measures.forms import ScheduleForm, answer_form_class
from therapy_portal.models import Role

bp = Blueprint("measures", __name__)
therapist_only = policy.requires(Role.THERAPIST)
partner_only = policy.requires(Role.CLIENT)


# ---------------------------------------------------------------------------------- therapist
@bp.get("/couples/<int:couple_id>/progress")
@therapist_only
def progress_page(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    data = progress.couple_progress(current_user, couple)
    page = render_template(
        "measures/progress.html",
        couple=couple,
        progress=data,
        action_form=FlaskForm(),
        instruments=INSTRUMENTS,
        can_schedule=policy.can_schedule_checkins(current_user, couple),
    )
    db.session.commit()  # the view is audited; rendered first, as commit expires the objects
    return page


@bp.route("/couples/<int:couple_id>/checkins/new", methods=["GET", "POST"])
@therapist_only
@audit.reads("checkin_schedule.form_view", "couple", "couple_id")
def new_schedule(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    today = services.local_today(current_user.practice.timezone)
    pending = take_pending_form() if request.method == "GET" else None
    form = ScheduleForm(formdata=pending, today=today) if pending else ScheduleForm(today=today)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.schedule_checkin(
                current_user,
                couple,
                form.instrument.data,
                form.interval_weeks.data,
                form.starts_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Check-in scheduled. Each partner will see it on their own Check-ins page.")
            return redirect(url_for("measures.progress_page", couple_id=couple.id))
    status = 422 if request.method == "POST" else 200
    not_offered = [inst for inst in INSTRUMENTS.values() if not inst.display_text]
    return render_template(
        "measures/schedule.html",
        form=form,
        couple=couple,
        offered=services.offered_instruments(),
        not_offered=not_offered,
    ), status


@bp.post("/checkins/<int:checkin_id>/stop")
@therapist_only
def stop_schedule(checkin_id: int):
    schedule = policy.schedule_for_therapist_or_404(current_user, checkin_id)
    if FlaskForm().validate_on_submit():
        run_action(
            lambda: services.stop_schedule(current_user, schedule),
            "Check-in stopped. The answers already given stay in the couple's progress.",
        )
    return redirect(url_for("measures.progress_page", couple_id=schedule.couple_id))


@bp.get("/checkins/responses/<int:measure_response_id>")
@therapist_only
def response_detail(measure_response_id: int):
    response = policy.response_for_therapist_or_404(current_user, measure_response_id)
    couple = policy.couple_for_therapist_or_404(current_user, response.couple_id)
    detail = progress.response_detail(current_user, response, couple)
    page = render_template(
        "measures/response.html", detail=detail, couple=couple, action_form=FlaskForm()
    )
    db.session.commit()  # the view is audited
    return page


@bp.post("/safety-alerts/<int:safety_alert_id>/acknowledge")
@therapist_only
def acknowledge_alert(safety_alert_id: int):
    alert = policy.alert_for_therapist_or_404(current_user, safety_alert_id)
    if FlaskForm().validate_on_submit():
        run_action(
            lambda: safety.acknowledge_alert(current_user, alert),
            "Alert acknowledged. It is no longer listed on your caseload.",
        )
    return redirect(url_for("caseload.index"))


# ------------------------------------------------------------------------------------ partner
@bp.get("/checkins")
@partner_only
def partner_index():
    member = policy.membership_for_partner_or_404(current_user)
    due = services.due_checkins(current_user)
    history = services.partner_history(current_user, request.args.get("page", 1, type=int))
    page = render_template(
        "measures/partner_index.html",
        couple=member.couple,
        due=due,
        history=history,
        instruments=INSTRUMENTS,
    )
    db.session.commit()  # the view is audited
    return page


@bp.route("/checkins/<int:checkin_id>", methods=["GET", "POST"])
@partner_only
@audit.reads("checkin.form_view", "measure_schedule", "checkin_id")
def answer(checkin_id: int):
    schedule = policy.schedule_for_partner_or_404(current_user, checkin_id)
    state = services.checkin_state(current_user, schedule)
    inst = state.instrument if state.instrument and state.instrument.display_text else None
    status = 200
    if inst is None:
        form = FlaskForm()
        status = 409 if request.method == "POST" else 200
    else:
        pending = take_pending_form() if request.method == "GET" else None
        form = answer_form_class(inst)(formdata=pending) if pending else answer_form_class(inst)()
        if request.method == "POST":
            status = 422
            if form.validate_on_submit():
                try:
                    services.submit_checkin(current_user, schedule, form.to_answers())
                except DomainError as error:
                    db.session.rollback()
                    attach_error(form, error)
                    status = error.status
                else:
                    db.session.commit()
                    flash("Thank you. Your check-in was sent to your therapist.")
                    return redirect(url_for("measures.partner_index"))
    show_form = inst is not None and (state.is_open or request.method == "POST")
    return render_template(
        "measures/answer.html", form=form, state=state, instrument=inst, show_form=show_form
    ), status
