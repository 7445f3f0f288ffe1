"""Passkey ceremonies (JSON, called by static/passkeys.js) and removing a passkey."""

from __future__ import annotations

from flask import jsonify, request, session, url_for
from flask_login import current_user

from therapy_portal import audit, boundary
from therapy_portal.auth import flow, passkeys
from therapy_portal.auth.blueprint import bp
from therapy_portal.errors import DomainError
from therapy_portal.i18n import gettext
from therapy_portal.models import Role
from therapy_portal.policy import public, requires

_REGISTER = "_passkey_register_challenge"
_LOGIN = "_passkey_login_challenge"
staff = requires(Role.ADMIN, Role.THERAPIST)


@bp.post("/account/security/passkeys/options")
@staff
def passkey_register_options():
    options, challenge = passkeys.registration_options(current_user)
    session[_REGISTER] = challenge
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/account/security/passkeys")
@staff
def passkey_register():
    payload = request.get_json(silent=True) or {}
    challenge = session.pop(_REGISTER, None)
    if challenge is None or not isinstance(payload.get("credential"), dict):
        return jsonify(error=gettext("Start again: the request to add a passkey had expired.")), 400
    try:
        passkeys.register(current_user, payload["credential"], challenge, str(payload.get("name")))
    except DomainError as error:
        boundary.refused(error)
        return jsonify(error=error.message), 400
    return jsonify(ok=True, redirect=url_for("auth.security"))


@bp.post("/account/security/passkeys/<int:passkey_id>/remove")
@staff
def remove_passkey(passkey_id: int):
    return boundary.press(
        lambda: passkeys.remove(current_user, passkey_id),
        then=url_for("auth.security"),
        done=gettext("The passkey was removed."),
    )


@bp.post("/login/passkey/options")
@public
def passkey_login_options():
    user = flow.pending_user("verify")
    if user is None:
        return jsonify(error=gettext("Sign in again.")), 400
    options, challenge = passkeys.authentication_options(user)
    session[_LOGIN] = challenge
    return options, 200, {"Content-Type": "application/json"}


@bp.post("/login/passkey")
@public
def passkey_login():
    user = flow.pending_user("verify")
    challenge = session.pop(_LOGIN, None)
    payload = request.get_json(silent=True) or {}
    if user is None or challenge is None or not isinstance(payload.get("credential"), dict):
        return jsonify(error=gettext("Sign in again.")), 400
    if not passkeys.authenticate(user, payload["credential"], challenge):
        audit.record(
            "auth.mfa_failed",
            practice_id=user.practice_id,
            object_type="user",
            object_id=user.id,
            outcome="failure",
            kind="passkey",
        )
        flow.count_wrong_code(user)
        return jsonify(error=gettext("That passkey did not work. Try again or use a code.")), 401
    response = flow.finish(user, "passkey")
    return jsonify(ok=True, redirect=response.location)
