"""Supervision for admins: who supervises whom in the practice (every change audited)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from therapy_portal import boundary, policy
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.supervision import services
from therapy_portal.supervision.blueprint import bp
from therapy_portal.supervision.forms import SupervisorForm

admin_only = policy.requires(Role.ADMIN)


@bp.get("/people")
@admin_only
def people():
    staff = services.practice_therapists(current_user)
    return render_template(
        "supervision/people.html",
        staff=staff,
        supervisors=services.supervisors(current_user),
        form=SupervisorForm(formdata=None),
    )


@bp.post("/people/<int:user_id>")
@admin_only
def set_supervisor(user_id: int):
    form = SupervisorForm()
    chosen = form.supervisor.data or ""
    return boundary.press(
        lambda: services.set_supervisor(
            current_user, user_id, int(chosen) if chosen.isdigit() else None
        ),
        then=url_for("supervision.people"),
        done=gettext("Saved."),
    )
