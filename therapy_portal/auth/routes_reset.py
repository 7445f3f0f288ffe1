"""Forgotten passwords and sign-in links sent by email."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from therapy_portal.auth import flow, mfa, reset
from therapy_portal.auth.blueprint import bp
from therapy_portal.auth.forms import ForgotPasswordForm, ResetPasswordForm
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db, limiter
from therapy_portal.i18n import gettext
from therapy_portal.models import TokenPurpose, User
from therapy_portal.policy import public


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset.request_reset(form.email.data)
        # The same page whether or not the address has an account.
        return render_template(
            "auth/check_email.html",
            reason="reset",
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def reset_password(token: str):
    row = reset.open_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None:
        return render_template("auth/reset_unusable.html"), 410
    user = db.session.get(User, row.user_id)
    needs_code = mfa.has_second_factor(user)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset.reset_password(token, form.password.data, form.code.data)
        except ValidationFailed as error:  # returned, so the audit of a wrong code is kept
            field = error.field if error.field in ("code", "password") else "password"
            getattr(form, field).errors.append(error.message)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(
                gettext("Your password is changed, and every device was signed out. Sign in now.")
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, needs_code=needs_code)


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@public
def sign_in_link(token: str):
    """The link sent after repeated failures. Opening it changes nothing (mail scanners open
    links); the button spends it, and the sign-in carries on as after a right password."""
    if reset.open_token(token, TokenPurpose.SIGN_IN_LINK) is None:
        return render_template("auth/reset_unusable.html", link="sign_in"), 410
    form = FlaskForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in_link.html", form=form)
    user = reset.use_sign_in_link(token)
    if user is None:
        return render_template("auth/reset_unusable.html", link="sign_in"), 410
    return flow.begin(user, step_up=False, next_path=None)
