"""A partner's sessions: the list with reminder choices and the calendar feed, one session, its
`.ics`. A partner reaches only the couple's joint sessions and their own one-partner ones."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from therapy_portal import audit, boundary, policy
from therapy_portal.appointments import calendar, queries, reminders
from therapy_portal.appointments.downloads import ics_response, page_url
from therapy_portal.appointments.forms import PageForm, ReminderForm
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.policy import appointments as scope

bp = Blueprint("my_sessions", __name__)
partner_only = policy.requires(Role.CLIENT)


def _index_page(form: ReminderForm):
    member = policy.membership_for_partner_or_404(current_user)
    listing = queries.partner_sessions(current_user, after=request.args.get("after", type=int))
    return render_template(
        "appointments/partner_index.html",
        couple=member.couple,
        listing=listing,
        reminder_form=form,
        feed=calendar.feed_of(current_user),
        page_form=PageForm(),
    )


@bp.get("/my-sessions")
@partner_only
@audit.reads("appointment.partner_list")
def index():
    remind_24h, remind_2h = reminders.reminder_choice(current_user)
    return _index_page(ReminderForm(data={"remind_24h": remind_24h, "remind_2h": remind_2h}))


@bp.post("/my-sessions/reminders")
@partner_only
def set_reminders():
    form = ReminderForm()
    return boundary.submit(
        form,
        lambda: reminders.set_reminder_choice(
            current_user, bool(form.remind_24h.data), bool(form.remind_2h.data)
        ),
        render=lambda: _index_page(form),
        then=url_for("my_sessions.index"),
        done=gettext("Your reminder choice is saved."),
    )


@bp.get("/my-sessions/<int:appointment_id>")
@partner_only
@audit.reads("appointment.partner_view", "appointment", "appointment_id")
def detail(appointment_id: int):
    appointment = scope.appointment_for_partner_or_404(current_user, appointment_id)
    return render_template("appointments/partner_detail.html", appointment=appointment)


@bp.get("/my-sessions/<int:appointment_id>/calendar.ics")
@partner_only
@audit.reads("appointment.ics", "appointment", "appointment_id")
def ics(appointment_id: int):
    appointment = scope.appointment_for_partner_or_404(current_user, appointment_id)
    page = page_url("my_sessions.detail", appointment_id=appointment.id)
    return ics_response(calendar.session_ics(appointment, current_user, page), appointment)
