"""The therapist's sessions: the week, a couple's sessions, schedule, change, cancel, outcomes,
the `.ics`, and starting the note."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from therapy_portal import audit, boundary, confirm, policy
from therapy_portal.appointments import (
    calendar,
    notes_link,
    queries,
    services,
)
from therapy_portal.appointments.downloads import ics_response, page_url
from therapy_portal.appointments.forms import (
    CancelForm,
    DetailsForm,
    OutcomeForm,
    PageForm,
    ScheduleForm,
    StartNoteForm,
)
from therapy_portal.appointments.rules import zone_of
from therapy_portal.i18n import gettext
from therapy_portal.models import Role, utcnow
from therapy_portal.policy import appointments as scope
from therapy_portal.policy import consents
from therapy_portal.timezones import practice_today
from therapy_portal.ui import dates

bp = Blueprint("appointments", __name__)
therapist_only = policy.requires(Role.THERAPIST)


def _week_asked() -> date:
    """The week asked for in the address (any day of it), or this week."""
    try:
        asked = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        asked = None
    if asked is None or not 1900 <= asked.year <= 2200:
        return practice_today(current_user)
    return asked


@bp.get("/schedule")
@therapist_only
@audit.reads("appointment.week_view")
def week():
    week = queries.week_for_therapist(current_user, _week_asked())
    return render_template(
        "appointments/week.html",
        week=week,
        couples=queries.couple_choices(current_user),
        today=practice_today(current_user),
        feed=calendar.feed_of(current_user),
        page_form=PageForm(),
    )


@bp.get("/schedule/new")
@therapist_only
def choose_couple():
    couple_id = request.args.get("couple_id", type=int)
    if couple_id is None:
        flash(gettext("Choose the couple to schedule a session for."), "error")
        return redirect(url_for("appointments.week"))
    couple = policy.couple_for_therapist_or_404(current_user, couple_id, eager=False)
    return redirect(url_for("appointments.new", couple_id=couple.id))


@bp.get("/couples/<int:couple_id>/sessions")
@therapist_only
@audit.reads("appointment.list", "couple", "couple_id")
def couple_sessions(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    listing = queries.couple_sessions(
        current_user, couple, after=request.args.get("after", type=int)
    )
    return render_template("appointments/couple.html", couple=couple, listing=listing)


@bp.route("/couples/<int:couple_id>/sessions/new", methods=["GET", "POST"])
@therapist_only
@audit.reads("appointment.new_form", "couple", "couple_id")
def new(couple_id: int):
    couple = policy.couple_for_therapist_or_404(current_user, couple_id)
    form = ScheduleForm().for_couple(couple)

    def page():
        return render_template("appointments/new.html", form=form, couple=couple)

    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: services.schedule(current_user, couple, form.schedule_input()),
        render=page,
        then=lambda made: url_for("appointments.detail", appointment_id=made[0].id),
        done="The session is scheduled." if not form.recorded.data else "The session is recorded.",
    )


@bp.get("/sessions/<int:appointment_id>")
@therapist_only
@audit.reads("appointment.view", "appointment", "appointment_id")
def detail(appointment_id: int):
    appointment = scope.appointment_for_therapist_or_404(current_user, appointment_id)
    return render_template(
        "appointments/detail.html",
        appointment=appointment,
        series=appointment.series,
        note_state=queries.note_states([appointment]).get(appointment.id),
        consent_lacking=consents.missing_for_sessions([appointment]).get(appointment.id),
        can_change=scope.can_change_appointment(current_user, appointment),
        started=appointment.has_started(utcnow()),
        outcome_form=OutcomeForm(),
        cancel_form=CancelForm(),
        note_form=StartNoteForm(),
    )


@bp.route("/sessions/<int:appointment_id>/edit", methods=["GET", "POST"])
@therapist_only
@audit.reads("appointment.edit_form", "appointment", "appointment_id")
def edit(appointment_id: int):
    appointment = scope.appointment_for_therapist_or_404(current_user, appointment_id)
    form = DetailsForm(obj=_form_values(appointment) if request.method == "GET" else None)

    def page():
        return render_template("appointments/edit.html", form=form, appointment=appointment)

    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: services.reschedule(current_user, appointment, form.session_input()),
        render=page,
        then=url_for("appointments.detail", appointment_id=appointment.id),
        done=gettext("The session is changed."),
    )


def _form_values(appointment):
    """The session's values as the form shows them (local date and time)."""
    from types import SimpleNamespace

    local = appointment.starts_at.astimezone(zone_of(current_user))
    return SimpleNamespace(
        starts_on=local.date(),
        start_time=local.time().replace(second=0, microsecond=0),
        duration_minutes=appointment.duration_minutes,
        modality=appointment.modality,
        meeting_link=appointment.meeting_link or "",
        service_code=appointment.service_code,
        details=appointment.details,
        allow_overlap=False,
    )


@bp.post("/sessions/<int:appointment_id>/cancel")
@therapist_only
def cancel(appointment_id: int):
    appointment = scope.appointment_for_therapist_or_404(current_user, appointment_id)
    back = url_for("appointments.detail", appointment_id=appointment.id)
    form = CancelForm()
    if not form.validate_on_submit():
        return redirect(back)
    if not confirm.given():
        return confirm.ask(**cancel_question(appointment, bool(form.rest_of_series.data), back))
    return boundary.press(
        lambda: services.cancel(
            current_user, appointment, rest_of_series=bool(form.rest_of_series.data)
        ),
        then=back,
        done=gettext("Cancelled. The partners see it as cancelled, and no reminders will go."),
    )


def cancel_question(appointment, rest: bool, back: str) -> dict:
    what = f"the session on {dates.when(appointment.starts_at, zone_of(current_user))}"
    if rest and appointment.series_id:
        what += " and every later session of its series"
    return {
        "title": "Cancel this session?",
        "consequences": [
            f"This cancels {what}. It can't be undone: schedule a new session if plans change.",
            "The partners see it as cancelled on their sessions page and get no reminder.",
        ],
        "button": "Cancel the session",
        "back": back,
    }


@bp.post("/sessions/<int:appointment_id>/outcome")
@therapist_only
def outcome(appointment_id: int):
    appointment = scope.appointment_for_therapist_or_404(current_user, appointment_id)
    back = url_for("appointments.detail", appointment_id=appointment.id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(gettext("Choose what happened."), "error")
        return redirect(back)
    return boundary.press(
        lambda: services.record_outcome(current_user, appointment, form.outcome.data),
        then=back,
        done=gettext("Saved."),
    )


@bp.post("/sessions/<int:appointment_id>/note")
@therapist_only
def start_note(appointment_id: int):
    appointment = scope.appointment_for_therapist_or_404(current_user, appointment_id)
    form = StartNoteForm()
    back = url_for("appointments.detail", appointment_id=appointment.id)
    if not form.validate_on_submit():
        return redirect(back)
    return boundary.press(
        lambda: notes_link.start_note(current_user, appointment, form.format.data),
        then=lambda note: url_for("notes.edit", note_id=note.id),
        back=back,
        done=gettext("The note is started with the session's facts filled in."),
    )


@bp.get("/sessions/<int:appointment_id>/calendar.ics")
@therapist_only
@audit.reads("appointment.ics", "appointment", "appointment_id")
def ics(appointment_id: int):
    appointment = scope.appointment_for_therapist_or_404(current_user, appointment_id)
    page = page_url("appointments.detail", appointment_id=appointment.id)
    return ics_response(calendar.session_ics(appointment, current_user, page), appointment)
