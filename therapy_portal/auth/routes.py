"""Login, logout, invitations and password changes."""

from __future__ import annotations

from functools import partial

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from therapy_portal import audit, boundary
from therapy_portal.auth import flow, invitations, services, throttle
from therapy_portal.auth.blueprint import bp
from therapy_portal.auth.forms import ChangePasswordForm, ChoosePasswordForm, LoginForm
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import limiter
from therapy_portal.i18n import N_, gettext, ngettext
from therapy_portal.models import Role
from therapy_portal.policy import public, requires

_NO_MATCH = N_("That email and password don't match an account. Check both and try again.")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code in (401, 429),
)
def login():
    if current_user.is_authenticated:
        return redirect(flow.home_url(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, notice=session.get("_login_notice"))
    email, address = form.email.data, flow.client_address()
    wait = throttle.wait_seconds(email, address)
    if wait:
        throttle.record_slowed(services.find_user(email), wait)
        return _login_refused(form, _wait_message(wait), 429)
    user = services.authenticate(email, form.password.data)
    if user is None:
        throttle.record_failure(email, address, services.find_user(email))
        return _login_refused(form, gettext(_NO_MATCH), 401)
    next_path = flow.safe_next(request.args.get("next"))
    return flow.begin(user, step_up=throttle.step_up_required(email), next_path=next_path)


def _wait_message(wait: int) -> str:
    return ngettext(
        "Too many attempts. Wait %(num)d second and try again.",
        "Too many attempts. Wait %(num)d seconds and try again.",
        wait,
    )


def _login_refused(form: LoginForm, message: str, status: int):
    form.password.errors.append(message)
    return render_template("auth/login.html", form=form, notice=None), status


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    form = FlaskForm()
    if request.method != "POST" or not form.validate_on_submit():
        return render_template("auth/logout.html", form=form)
    if current_user.is_authenticated:
        audit.record(
            "auth.logout", actor=current_user, object_type="user", object_id=current_user.id
        )
    logout_user()
    session.end()  # type: ignore[attr-defined]
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    lookup = invitations.look_up(token)
    if lookup.state is not invitations.InvitationState.VALID:
        return _unusable_invitation(lookup.state)
    form = ChoosePasswordForm()
    page = partial(
        render_template, "auth/accept_invitation.html", form=form, invitation=lookup.invitation
    )
    if not form.validate_on_submit():
        return page()
    try:
        user = invitations.accept(token, form.password.data)
    except ValidationFailed as error:
        boundary.refused(error)
        if error.field != "password":
            return _unusable_invitation(error.context["state"])
        form.password.errors.append(error.message)
        return page()
    return _welcome(user)


def _welcome(user):
    """The invited person chose a password: sign them in (or on to enrolment)."""
    if current_user.is_authenticated:
        logout_user()
    response = flow.begin(user, step_up=False, next_path=None)
    if current_user.is_authenticated:
        flash(gettext("Welcome. Your password is set, and you are logged in."))
    else:
        flash(gettext("Welcome. Your password is set. Now set up your second step for signing in."))
    return response


def _unusable_invitation(state: invitations.InvitationState):
    """One page for every link that no longer works: what happened, and how to get a new one."""
    days = current_app.config["INVITATION_TTL_DAYS"]
    return render_template("auth/invitation_unusable.html", state=state.value, days=days), 410


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)
def change_password():
    form = ChangePasswordForm()
    page = partial(render_template, "auth/change_password.html", form=form)
    if request.method == "GET":
        return page()

    def perform():
        row_id = session.row_id  # type: ignore[attr-defined]
        services.change_password(
            current_user, form.current.data, form.password.data, keep_session_row=row_id
        )
        session.regenerate()  # type: ignore[attr-defined]

    return boundary.submit(
        form,
        perform,
        render=page,
        then=lambda _: flow.home_url(current_user),
        done=gettext("Your password is changed. You were logged out on every other device."),
        status=200,
    )


@bp.app_errorhandler(429)
def too_many_attempts(error):
    # Refused by the per-address limit: a security event (ASVS 16.3.3), kept although the
    # request did nothing else.
    audit.record_denied("auth.rate_limited", actor=current_user, kind=request.endpoint or "")
    audit.flush_after_rollback()
    form = LoginForm()
    form.password.errors = [
        gettext(
            "Too many attempts. For your safety, wait 15 minutes and try again, "
            "or ask your practice to help."
        )
    ]
    if request.endpoint == "auth.login":
        return render_template("auth/login.html", form=form, notice=None), 429
    return render_template(
        "errors/error.html",
        status=429,
        title=gettext("Too many attempts"),
        message=gettext("Please wait a few minutes and try again."),
    ), 429
