"""Practice admin pages: therapists and staff, sign-in settings, and the audit log."""

from __future__ import annotations

from functools import partial

from flask import (
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import boundary, confirm, policy
from therapy_portal.admin import audit_view, services
from therapy_portal.admin.audit_view import AuditFilter
from therapy_portal.admin.blueprint import bp, person_page
from therapy_portal.admin.forms import AuditFilterForm, InviteTherapistForm
from therapy_portal.auth.forms import PracticeSecurityForm
from therapy_portal.i18n import gettext, ngettext
from therapy_portal.models import Role

__all__ = ["bp"]
admin_only = policy.requires(Role.ADMIN)


def _staff_list() -> str:
    return url_for("admin.therapists")


@bp.route("/therapists", methods=["GET", "POST"])
@admin_only
def therapists():
    form = InviteTherapistForm()
    page = partial(_therapists_page, form)
    if request.method == "GET":
        return page()
    return boundary.submit(
        form,
        lambda: services.invite_therapist(
            current_user,
            name=form.name.data,
            email=form.email.data,
            credentials=form.credentials.data or "",
        ),
        render=page,
        then=_staff_list(),
        done=_invitation_sent(),
        status=422,
    )


def _invitation_sent() -> str:
    days = current_app.config["INVITATION_TTL_DAYS"]
    return ngettext(
        "Invitation sent. The link works once and expires in %(num)d day.",
        "Invitation sent. The link works once and expires in %(num)d days.",
        days,
    )


def _therapists_page(form: InviteTherapistForm):
    staff = services.list_staff(current_user)
    return render_template("admin/therapists.html", form=form, staff=staff, action_form=FlaskForm())


@bp.post("/users/<int:user_id>/deactivate")
@admin_only
def deactivate(user_id: int):
    """Asks first; refused (and sent to reassign their couples) while couples depend on them."""
    user = services.staff_for_admin_or_404(current_user, user_id)
    problem = services.deactivation_problem(current_user, user)
    if problem is None and not confirm.given():
        return _ask_to_deactivate(user)
    reassign_first = problem is not None and "couples" in problem.context
    return boundary.press(
        lambda: services.deactivate_user(current_user, user_id),
        then=_staff_list(),
        back=url_for("admin.reassign_couples", user_id=user_id) if reassign_first else None,
        done=gettext("Account deactivated. Any open sessions were ended."),
    )


def _ask_to_deactivate(user):
    return confirm.ask(
        title=f"Deactivate {user.name}?",
        consequences=[
            f"{user.name} can no longer sign in, and is signed out everywhere at once.",
            "Their notes, homework and audit history stay; you can reactivate them later.",
        ],
        button=f"Deactivate {user.name}",
        back=_staff_list(),
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_only
def reactivate(user_id: int):
    return boundary.press(
        lambda: services.reactivate_user(current_user, user_id),
        then=_staff_list(),
        done=gettext("Account reactivated."),
    )


@bp.post("/users/<int:user_id>/resend")
@admin_only
def resend(user_id: int):
    return boundary.press(
        lambda: services.resend_staff_invitation(current_user, user_id),
        then=_staff_list(),
        done=gettext("A new invitation was sent."),
    )


@bp.post("/users/<int:user_id>/reset-second-factor")
@admin_only
def reset_second_factor(user_id: int):
    """Staff or partner: they are signed out, emailed, and set the second step up again."""
    return boundary.press(
        lambda: services.reset_second_factor(current_user, user_id),
        then=person_page,
        back=_staff_list(),
        done=gettext("Second step reset. They were signed out everywhere and were emailed."),
    )


@bp.route("/security", methods=["GET", "POST"])
@admin_only
def practice_security():
    form = PracticeSecurityForm(obj=current_user.practice)
    if request.method == "GET":
        return render_template("admin/security.html", form=form)
    return boundary.submit(
        form,
        lambda: services.set_remember_device(current_user, form.remember_device_allowed.data),
        render=lambda: render_template("admin/security.html", form=form),
        then=url_for("admin.practice_security"),
        done=gettext("Sign-in settings saved."),
        status=200,
    )


def _audit_filter() -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.args)
    people, couples = audit_view.filter_choices(current_user)
    form.actor_id.choices = [(0, "Anyone")] + people
    form.couple_id.choices = [(0, "Any couple")] + couples
    # Bad filter values never fail the page: they are dropped and marked on the form.
    return form, form.to_filter() if form.validate() else AuditFilter()


@bp.get("/audit")
@admin_only
def audit_log():
    form, wanted = _audit_filter()
    page = audit_view.page(
        current_user,
        wanted,
        before=request.args.get("before", type=int),
        after=request.args.get("after", type=int),
    )
    return render_template("admin/audit.html", page=page, form=form, args=wanted.as_args())


@bp.get("/audit.csv")
@admin_only
def audit_export():
    _form, wanted = _audit_filter()
    lines = audit_view.export_csv(current_user, wanted)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=audit-log.csv",
            "Cache-Control": "no-store",
        },
    )
