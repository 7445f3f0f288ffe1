"""The steps of signing in, as view helpers: password → second factor or enrolment → session.

Between the password and the second factor the browser holds an anonymous session that only
names the pending user (`_login_pending`); nothing else works until the second step is done.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import login_user

from therapy_portal.auth import mfa, pending, reset, services, throttle
from therapy_portal.extensions import db
from therapy_portal.i18n import SESSION_KEY, gettext
from therapy_portal.models import Role, User, utcnow

PENDING = "_login_pending"


def home_url(user: User) -> str:
    if user.role == Role.ADMIN:
        return url_for("admin.therapists")
    if user.role == Role.THERAPIST:
        return url_for("today.index")
    return url_for("partner.home")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; anything else is ignored."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def client_address() -> str:
    return request.remote_addr or ""


def _carried() -> dict:
    """What a fresh session keeps: a stashed form, and the language chosen on the switch."""
    keep = pending.carry_over()
    if SESSION_KEY in session:
        keep[SESSION_KEY] = session[SESSION_KEY]
    return keep


def start_session(user: User) -> None:
    """A fresh session id for the signed-in user; only a stashed form of theirs and the
    anonymous pages' language choice carry over."""
    keep = _carried()
    session.clear()
    session.regenerate()  # type: ignore[attr-defined]
    session.update(keep)
    pending.drop_foreign_pending(user.id)
    login_user(user)
    session["_staff"] = user.is_staff
    session["_practice_id"] = user.practice_id


def begin(user: User, *, step_up: bool, next_path: str | None):
    """The password was right: finish, or ask for the second factor, enrolment or an email link."""
    if mfa.has_second_factor(user):
        cookie = request.cookies.get(current_app.config["REMEMBER_DEVICE_COOKIE_NAME"])
        if mfa.device_is_remembered(user, cookie):
            return finish(user, "remembered_device", next_path)
        return _pend(user, "verify", next_path)
    if step_up:
        reset.send_sign_in_link(user)
        return render_template("auth/check_email.html", reason="step_up")
    if mfa.enrolment_required(user):
        return _pend(user, "enrol", next_path)
    return finish(user, "password", next_path)


def _pend(user: User, stage: str, next_path: str | None):
    keep = _carried()
    session.clear()
    session.regenerate()  # type: ignore[attr-defined]
    session.update(keep)
    session[PENDING] = {
        "user_id": user.id,
        "stage": stage,
        "next": next_path,
        "at": utcnow().isoformat(),
        "attempts": 0,
    }
    return redirect(url_for("auth.verify" if stage == "verify" else "auth.enrol"))


def pending_user(stage: str) -> User | None:
    """The user half-way through signing in at this stage, or None (expired, other stage)."""
    state = session.get(PENDING)
    if not state or state.get("stage") != stage:
        return None
    started = datetime.fromisoformat(state["at"])
    if utcnow() - started > timedelta(minutes=current_app.config["MFA_PENDING_MINUTES"]):
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, state["user_id"])
    return user if user is not None and user.active else None


def count_wrong_code(user: User) -> bool:
    """Count a wrong code; True when the attempts are used up and the sign-in starts over."""
    state = dict(session[PENDING])
    state["attempts"] += 1
    throttle.record_failure(user.email, client_address(), user)
    if state["attempts"] >= current_app.config["MFA_MAX_CODE_ATTEMPTS"]:
        session.pop(PENDING, None)
        session["_login_notice"] = gettext(
            "Too many wrong codes. Sign in again to get a fresh start."
        )
        return True
    session[PENDING] = state
    return False


def finish(user: User, method: str, next_path: str | None = None):
    """Both steps are done: record the sign-in, start the session, go where the user was going."""
    state = session.get(PENDING) or {}
    next_path = next_path or state.get("next")
    services.complete_login(user, method)
    throttle.clear(user.email, client_address())
    start_session(user)
    return redirect(next_path or pending.pending_path_for(user.id) or home_url(user))
