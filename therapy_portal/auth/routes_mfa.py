"""The second sign-in step, enrolment, and the account's security page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from therapy_portal import audit, boundary
from therapy_portal.auth import flow, mfa, own_sessions, passkeys, throttle
from therapy_portal.auth.blueprint import bp
from therapy_portal.auth.forms import CodeForm, EnrolForm, ReauthEnrolForm, ReauthForm
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import Role
from therapy_portal.passwords import verify_password
from therapy_portal.policy import public, requires
from therapy_portal.sessions import revoke_user_sessions

_CANDIDATE = "_totp_candidate"
signed_in = requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)


def _start_over():
    session["_login_notice"] = gettext("Please sign in again.")
    return redirect(url_for("auth.login"))


@bp.route("/login/verify", methods=["GET", "POST"])
@public
def verify():
    user = flow.pending_user("verify")
    if user is None:
        return _start_over()
    form = CodeForm()
    allow_remember = user.practice.remember_device_allowed
    if not form.validate_on_submit():
        return _verify_page(form, user, allow_remember)
    kind = mfa.verify_code(user, form.code.data)
    if kind is None:
        return _wrong_code(form, user, allow_remember)
    cookie = mfa.remember_device(user) if allow_remember and form.remember.data else None
    response = flow.finish(user, kind)
    if cookie is not None:
        _set_device_cookie(response, *cookie)
    return response


def _wrong_code(form: CodeForm, user, allow_remember: bool):
    """Audited and counted; after too many the sign-in starts over."""
    audit.record(
        "auth.mfa_failed",
        practice_id=user.practice_id,
        object_type="user",
        object_id=user.id,
        outcome="failure",
    )
    if flow.count_wrong_code(user):
        return redirect(url_for("auth.login"))
    form.code.errors.append(
        gettext("That code is not right, or was already used. Try the next one.")
    )
    return _verify_page(form, user, allow_remember), 401


def _verify_page(form, user, allow_remember: bool):
    return render_template(
        "auth/verify.html",
        form=form,
        allow_remember=allow_remember,
        has_totp=user.has_totp,
        has_passkeys=mfa.has_passkeys(user),
    )


def _set_device_cookie(response, token: str, max_age: int) -> None:
    cfg = current_app.config
    response.set_cookie(
        cfg["REMEMBER_DEVICE_COOKIE_NAME"],
        token,
        max_age=max_age,
        httponly=True,
        secure=cfg["SESSION_COOKIE_SECURE"],
        samesite="Lax",
        path="/",
    )


def _candidate_setup(user):
    secret = session.get(_CANDIDATE) or mfa.new_totp_secret()
    session[_CANDIDATE] = secret
    return mfa.totp_setup(user, secret)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol():
    """Forced enrolment: staff without a second factor set one up before their session starts."""
    user = flow.pending_user("enrol")
    if user is None:
        return _start_over()
    form = EnrolForm()
    setup = _candidate_setup(user)
    if form.validate_on_submit():
        codes = mfa.enrol_totp(user, setup.secret, form.code.data)
        if codes is not None:
            flow.finish(user, "totp_enrolment")
            return render_template(
                "auth/recovery_codes.html", codes=codes, continue_url=flow.home_url(user)
            )
        form.code.errors.append(gettext(_WRONG_SETUP_CODE))
    return render_template("auth/enrol.html", form=form, setup=setup, forced=True)


_WRONG_SETUP_CODE = N_(
    "That code does not match. Check the time on your phone is right, and type the code the app "
    "shows now."
)


@bp.get("/account/security")
@signed_in
def security():
    return render_template(
        "auth/security.html",
        codes_left=mfa.recovery_codes_left(current_user),
        may_remove=mfa.may_remove_totp(current_user),
        required=current_app.config["MFA_REQUIRED_FOR_STAFF"] and current_user.is_staff,
        passkeys=passkeys.user_passkeys(current_user) if current_user.is_staff else [],
        sessions=own_sessions.signed_in_sessions(current_user, session.row_id),  # type: ignore[attr-defined]
        form=ReauthForm(),
    )


def _password_ok(form) -> bool:
    if verify_password(current_user.password_hash, form.current.data):
        return True
    form.current.errors.append(gettext("Your password is not right."))
    audit.record(
        "auth.reauth_failed",
        actor=current_user,
        object_type="user",
        object_id=current_user.id,
        outcome="failure",
    )
    throttle.record_failure(current_user.email, flow.client_address(), current_user)
    return False


def _end_other_sessions() -> None:
    """A changed second factor signs out every other device (ASVS 7.4.3)."""
    revoke_user_sessions(current_user.id, except_row_id=session.row_id)  # type: ignore[attr-defined]


@bp.route("/account/security/totp", methods=["GET", "POST"])
@signed_in
def set_up_totp():
    """Turn on (or replace) the authenticator app; needs the password again (ASVS 7.5.1)."""
    form = ReauthEnrolForm()
    setup = _candidate_setup(current_user)
    if form.validate_on_submit() and _password_ok(form):
        codes = mfa.enrol_totp(current_user, setup.secret, form.code.data)
        if codes is not None:
            session.pop(_CANDIDATE, None)
            _end_other_sessions()
            return render_template(
                "auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.security")
            )
        form.code.errors.append(gettext(_WRONG_SETUP_CODE))
    return render_template("auth/enrol.html", form=form, setup=setup, forced=False)


@bp.post("/account/security/totp/remove")
@signed_in
def remove_totp():
    form = ReauthForm()
    if not mfa.may_remove_totp(current_user):
        flash(gettext("Your practice requires a second step for staff, so it can't be turned off."))
    elif form.validate_on_submit() and _password_ok(form):
        mfa.remove_totp(current_user)
        _end_other_sessions()
        flash(
            gettext(
                "The authenticator app is no longer needed to sign in. "
                "Other devices were signed out."
            )
        )
    else:
        flash(gettext("Enter your password to turn off the authenticator app."))
    return redirect(url_for("auth.security"))


@bp.post("/account/security/recovery-codes")
@signed_in
def new_recovery_codes():
    form = ReauthForm()
    if not current_user.has_totp:
        return redirect(url_for("auth.security"))
    if form.validate_on_submit() and _password_ok(form):
        codes = mfa.new_recovery_codes(current_user)
        audit.record(
            "auth.recovery_codes_replaced",
            actor=current_user,
            object_type="user",
            object_id=current_user.id,
        )
        return render_template(
            "auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.security")
        )
    flash(gettext("Enter your password to get new recovery codes."))
    return redirect(url_for("auth.security"))


@bp.post("/account/security/devices/forget")
@signed_in
def forget_devices():
    return boundary.press(
        _forget_devices,
        then=url_for("auth.security"),
        done=gettext("Every remembered device will ask for the second step again."),
    )


def _forget_devices() -> None:
    count = mfa.forget_devices(current_user.id)
    audit.record(
        "auth.devices_forgotten",
        actor=current_user,
        object_type="user",
        object_id=current_user.id,
        count=count,
    )
