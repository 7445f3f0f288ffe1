"""The browser's side of the idle limit (static/idle.js): how long is left, and "stay signed in"."""

from __future__ import annotations

from flask import current_app, jsonify, session
from flask_login import current_user

from therapy_portal.auth.blueprint import bp
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
    return jsonify(
        signed_in=True, seconds_left=idle_seconds_left(current_app, session, utcnow())
    )


@bp.post("/session/keepalive")
@requires(Role.ADMIN, Role.THERAPIST, Role.CLIENT)
def keep_alive():
    session.modified = True  # saved with a fresh last-seen time
    return jsonify(signed_in=True, seconds_left=idle_seconds_left(current_app, session, utcnow()))
