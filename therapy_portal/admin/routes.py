"""Practice admin pages: therapists and the audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from therapy_portal import policy
from therapy_portal.admin import audit_view, services
from therapy_portal.admin.audit_view import AuditFilter
from therapy_portal.admin.forms import AuditFilterForm, InviteTherapistForm
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error, run_action
from therapy_portal.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = policy.requires(Role.ADMIN)


@bp.route("/therapists", methods=["GET", "POST"])
@admin_only
def therapists():
    form = InviteTherapistForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.invite_therapist(
                current_user,
                name=form.name.data,
                email=form.email.data,
                credentials=form.credentials.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            days = current_app.config["INVITATION_TTL_DAYS"]
            flash(f"Invitation sent. The link works once and expires in {days} days.")
            return redirect(url_for("admin.therapists"))
    staff = services.list_staff(current_user)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/therapists.html", form=form, staff=staff, action_form=FlaskForm()
    ), status


def _user_action(user_id: int, action, message: str):
    if FlaskForm().validate_on_submit():
        run_action(lambda: action(current_user, user_id), message)
    return redirect(url_for("admin.therapists"))


@bp.post("/users/<int:user_id>/deactivate")
@admin_only
def deactivate(user_id: int):
    return _user_action(
        user_id, services.deactivate_user, "Account deactivated. Any open sessions were ended."
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_only
def reactivate(user_id: int):
    return _user_action(user_id, services.reactivate_user, "Account reactivated.")


@bp.post("/users/<int:user_id>/resend")
@admin_only
def resend(user_id: int):
    return _user_action(user_id, services.resend_staff_invitation, "A new invitation was sent.")


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
    db.session.commit()
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
