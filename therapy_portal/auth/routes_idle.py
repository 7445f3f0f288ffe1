"""Small JSON helpers for scripts: the idle limit (static/idle.js: how long is left, "stay signed
in") and the password strength meter (static/password-meter.js)."""

from __future__ import annotations

from flask import current_app, jsonify, request, session
from flask_login import current_user

from therapy_portal import passwords
from therapy_portal.auth.blueprint import bp
from therapy_portal.extensions import limiter
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import Role, utcnow
from therapy_portal.policy import public, requires
from therapy_portal.sessions import idle_seconds_left


@bp.get("/session/status")
@public
def session_status():
    """Asking is not activity: the session's idle clock is not reset by this request."""
    session.skip_touch = True  # type: ignore[attr-defined]
    if not current_user.is_authenticated:
        return jsonify(signed_in=False, seconds_left=0)
    return jsonify(signed_in=True, seconds_left=idle_seconds_left(current_app, session, utcnow()))


@bp.post("/session/keepalive")
@requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)
def keep_alive():
    session.modified = True  # saved with a fresh last-seen time
    return jsonify(signed_in=True, seconds_left=idle_seconds_left(current_app, session, utcnow()))


@bp.post("/password/strength")
@public
@limiter.limit("120 per minute")
def password_strength():
    """For the strength meter while someone types a new password. Nothing is stored or logged."""
    payload = request.get_json(silent=True) or {}
    password = str(payload.get("password") or "")[:200]
    context = (
        passwords.person_context(current_user.name, current_user.email, current_user.practice.name)
        if current_user.is_authenticated
        else []
    )
    problem = passwords.password_problem(password, context) if password else None
    score = passwords.password_strength(password, context) if password else 0
    message = problem or gettext(_LABELS[score])
    return jsonify(
        score=0 if problem else score,
        message=message,
        label=gettext("Strength: %(message)s", message=message),
    )


_LABELS = [N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong")]
