"""Login, logout, invitations and password changes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from therapy_portal import audit
from therapy_portal.auth import invitations, pending, services
from therapy_portal.auth.forms import ChangePasswordForm, ChoosePasswordForm, LoginForm
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db, limiter, login_account_key
from therapy_portal.models import Role, User
from therapy_portal.policy import public, requires

bp = Blueprint("auth", __name__)


def home_url(user: User) -> str:
    if user.role == Role.ADMIN:
        return url_for("admin.therapists")
    if user.role == Role.THERAPIST:
        return url_for("caseload.index")
    return url_for("partner.home")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; anything else is ignored."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def start_session(user: User) -> None:
    """A fresh session id for the signed-in user; only a stashed form of theirs carries over."""
    keep = pending.carry_over()
    session.clear()
    session.regenerate()  # type: ignore[attr-defined]
    session.update(keep)
    pending.drop_foreign_pending(user.id)
    login_user(user)
    session["_staff"] = user.is_staff
    session["_practice_id"] = user.practice_id


def _failed_login(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=login_account_key,
    methods=["POST"],
    deduct_when=_failed_login,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed_login,
)
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    notice = session.get("_login_notice")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            db.session.commit()
            target = safe_next(request.args.get("next")) or pending.pending_path_for(user.id)
            return redirect(target or home_url(user))
        db.session.commit()
        form.password.errors.append(
            "That email and password don't match an account. Check both and try again."
        )
        return render_template("auth/login.html", form=form, notice=None), 401
    return render_template("auth/login.html", form=form, notice=notice)


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            audit.record(
                "auth.logout", actor=current_user, object_type="user", object_id=current_user.id
            )
            db.session.commit()
        logout_user()
        session.end()  # type: ignore[attr-defined]
        response = redirect(url_for("auth.login"))
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return render_template("auth/logout.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    lookup = invitations.look_up(token)
    if lookup.state is not invitations.InvitationState.VALID:
        return _unusable_invitation(lookup.state)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.password.data)
        except ValidationFailed as error:
            if error.field != "password":
                db.session.rollback()
                return _unusable_invitation(error.context["state"])
            form.password.errors.append(error.message)
        else:
            if current_user.is_authenticated:
                logout_user()
            start_session(user)
            db.session.commit()
            flash("Welcome. Your password is set, and you are logged in.")
            return redirect(home_url(user))
    return render_template("auth/accept_invitation.html", form=form, invitation=lookup.invitation)


def _unusable_invitation(state: invitations.InvitationState):
    """One page for every link that no longer works: what happened, and how to get a new one."""
    days = current_app.config["INVITATION_TTL_DAYS"]
    return render_template("auth/invitation_unusable.html", state=state.value, days=days), 410


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current.data,
                form.password.data,
                keep_session_row=session.row_id,  # type: ignore[attr-defined]
            )
        except ValidationFailed as error:
            getattr(form, error.field or "password").errors.append(error.message)
        else:
            session.regenerate()  # type: ignore[attr-defined]
            db.session.commit()
            flash("Your password is changed. You were logged out on every other device.")
            return redirect(home_url(current_user))
    return render_template("auth/change_password.html", form=form)


@bp.app_errorhandler(429)
def too_many_attempts(error):
    form = LoginForm()
    form.password.errors = [
        "Too many attempts. For your safety, wait 15 minutes and try again, "
        "or ask your practice to help."
    ]
    if request.endpoint == "auth.login":
        return render_template("auth/login.html", form=form, notice=None), 429
    return render_template(
        "errors/error.html",
        status=429,
        title="Too many attempts",
        message="Please wait a few minutes and try again.",
    ), 429
