"""Check-ins: therapists schedule them and read progress; each partner answers their own."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.auth.pending import take_pending_form
from therapy_portal.i18n import LANGUAGES, gettext
from therapy_portal.measures import (
    INSTRUMENTS,
    checkins,
    goal_links,
    maintenance,
    outcome_alerts,
    progress,
    safety,
    services,
)
from therapy_portal.measures.forms import DismissOutcomeForm, ScheduleForm, answer_form_class
from therapy_portal.measures.outcomes import HELP as OUTCOME_HELP
from therapy_portal.models import Role

bp = Blueprint("measures", __name__)
therapist_only = policy.requires(Role.THERAPIST)
partner_only = policy.requires(Role.CLIENT)


# ---------------------------------------------------------------------------------- therapist
@bp.get("/couples/<int:couple_id>/progress")
@therapist_only
def progress_page(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    data = progress.couple_progress(current_user, couple)  # audited
    return render_template(
        "measures/progress.html",
        couple=couple,
        progress=data,
        action_form=FlaskForm(),
        instruments=INSTRUMENTS,
        can_schedule=policy.can_schedule_checkins(current_user, couple),
        stoppers={m.user_id: m.label for m in couple.members},
    )


def _schedule_page(form: ScheduleForm, couple):
    not_offered = [inst for inst in INSTRUMENTS.values() if not inst.display_text]
    return render_template(
        "measures/schedule.html",
        form=form,
        couple=couple,
        offered=services.offered_instruments(),
        not_offered=not_offered,
    )


def _schedule_form(today, couple) -> ScheduleForm:
    """As posted; on opening, as typed before a sign-in that expired (if any)."""
    pending = take_pending_form() if request.method == "GET" else None
    form = ScheduleForm(formdata=pending, today=today) if pending else ScheduleForm(today=today)
    form.goal_id.choices = [SelectChoice("", gettext("No goal"))] + [
        SelectChoice(str(g.id), g.label) for g in goal_links.current_goals(current_user, couple.id)
    ]
    return form


@bp.route("/couples/<int:couple_id>/checkins/new", methods=["GET", "POST"])
@therapist_only
@audit.reads("checkin_schedule.form_view", "couple", "couple_id")
def new_schedule(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = _schedule_form(services.local_today(current_user.practice.timezone), couple)
    if request.method == "GET":
        return _schedule_page(form, couple)
    return boundary.submit(
        form,
        lambda: services.schedule_checkin(
            current_user,
            couple,
            form.instrument.data,
            form.interval_weeks.data,
            form.starts_on.data,
            form.goal_id.data,
        ),
        render=lambda: _schedule_page(form, couple),
        status=422,
        done=gettext("Check-in scheduled. Each partner will see it on their own Check-ins page."),
        then=url_for("measures.progress_page", couple_id=couple.id),
    )


@bp.post("/checkins/<int:checkin_id>/stop")
@therapist_only
def stop_schedule(checkin_id: int):
    schedule = policy.schedule_for_therapist_or_404(current_user, checkin_id)
    back = url_for("measures.progress_page", couple_id=schedule.couple_id)
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    if not confirm.given():
        return confirm.ask(
            title="Stop this check-in?",
            consequences=[
                "Neither partner is asked to answer it again. A stopped check-in can't be "
                "restarted: schedule a new one instead.",
                "The answers already given stay in the couple's progress.",
            ],
            button="Stop the check-in",
            back=back,
        )
    return boundary.press(
        lambda: services.stop_schedule(current_user, schedule),
        done=gettext("Check-in stopped. The answers already given stay in the couple's progress."),
        then=back,
    )


@bp.get("/checkins/responses/<int:measure_response_id>")
@therapist_only
def response_detail(measure_response_id: int):
    response = policy.response_for_therapist_or_404(current_user, measure_response_id)
    couple = policy.couple_for_therapist_or_404(current_user, response.couple_id)
    detail = progress.response_detail(current_user, response, couple)  # audited
    return render_template(
        "measures/response.html", detail=detail, couple=couple, action_form=FlaskForm()
    )


@bp.post("/safety-alerts/<int:safety_alert_id>/acknowledge")
@therapist_only
def acknowledge_alert(safety_alert_id: int):
    alert = policy.alert_for_therapist_or_404(current_user, safety_alert_id)
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("caseload.index"))
    return boundary.press(
        lambda: safety.acknowledge_alert(current_user, alert),
        done=gettext("Alert acknowledged. It is no longer listed on your caseload."),
        then=url_for("caseload.index"),
    )


@bp.route("/outcome-alerts/<int:outcome_alert_id>/dismiss", methods=["GET", "POST"])
@therapist_only
def dismiss_outcome(outcome_alert_id: int):
    alert = policy.outcome_alert_for_therapist_or_404(current_user, outcome_alert_id)
    row, form = outcome_alerts.alert_row(current_user, alert), DismissOutcomeForm()
    back = url_for("caseload.detail", couple_id=alert.couple_id)

    def page():
        return render_template(
            "measures/dismiss_outcome.html", alert=row, form=form, back=back, help=OUTCOME_HELP
        )

    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: outcome_alerts.dismiss_outcome_alert(current_user, alert, form.reason.data),
        render=page,
        then=back,
        done=gettext("Alert dismissed. Your reason is kept with it."),
        status=422,
    )


# ------------------------------------------------------------------------------------ partner
@bp.get("/checkins")
@partner_only
def partner_index():
    member = policy.membership_for_partner_or_404(current_user)
    due = checkins.due_checkins(current_user)
    history = checkins.partner_history(current_user, request.args.get("after", type=int))
    return render_template(  # the history is audited
        "measures/partner_index.html",
        couple=member.couple,
        due=due,
        history=history,
        plans=maintenance.running_plans(current_user),
        action_form=FlaskForm(),
        instruments={k: i.in_language(current_user.locale) for k, i in INSTRUMENTS.items()},
    )


def _answer_page(form, state, inst, *, shown: bool):
    return render_template(
        "measures/answer.html",
        form=form,
        state=state,
        instrument=inst,
        show_form=shown,
        language_notice=_language_notice(inst),
    )


def _shown_instrument(inst):
    """The instrument if its wording is shipped (else None), in the partner's language when a
    published translation exists."""
    if inst is None or not inst.display_text:
        return None
    return inst.in_language(current_user.locale)


def _language_notice(inst) -> str | None:
    """Said when the partner reads another language and this questionnaire has no translation."""
    if inst is None or inst.language == current_user.locale or current_user.locale not in LANGUAGES:
        return None
    return gettext("This questionnaire is only available in English.")


@bp.route("/checkins/<int:checkin_id>", methods=["GET", "POST"])
@partner_only
@audit.reads("checkin.form_view", "measure_schedule", "checkin_id")
def answer(checkin_id: int):
    schedule = policy.schedule_for_partner_or_404(current_user, checkin_id)
    state = checkins.checkin_state(current_user, schedule)
    inst = _shown_instrument(state.instrument)
    posted = request.method == "POST"
    if inst is None:  # nothing this portal can show: say so
        return _answer_page(FlaskForm(), state, None, shown=False), 409 if posted else 200
    if not posted:
        pending = take_pending_form()
        form = answer_form_class(inst)(formdata=pending) if pending else answer_form_class(inst)()
        return _answer_page(form, state, inst, shown=state.is_open)
    form = answer_form_class(inst)()
    if not form.validate_on_submit():
        return _answer_page(form, state, inst, shown=True), 422
    return boundary.submit(
        form,
        lambda: checkins.submit_checkin(current_user, schedule, form.to_answers()),
        render=lambda: _answer_page(form, state, inst, shown=True),
        done=gettext("Thank you. Your check-in was sent to your therapist."),
        then=url_for("measures.partner_index"),
    )


@bp.post("/checkins/<int:checkin_id>/maintenance/stop")
@partner_only
def stop_maintenance(checkin_id: int):
    schedule = policy.schedule_for_partner_or_404(current_user, checkin_id)
    back = url_for("measures.partner_index")
    if not confirm.given():
        return confirm.ask(
            title=gettext("Stop the maintenance check-ins?"),
            consequences=[
                gettext("No more maintenance check-ins will open, for you or your partner."),
                gettext("Your therapist will see that they were stopped. Your past answers stay."),
            ],
            button=gettext("Stop the check-ins"),
            back=back,
        )
    return boundary.press(
        lambda: maintenance.stop_maintenance(current_user, schedule),
        then=back,
        done=gettext("The maintenance check-ins are stopped."),
    )
