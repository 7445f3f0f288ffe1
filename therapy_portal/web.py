"""Binding extensions and the app-wide request hooks (request id, headers, context)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask import Flask, Response, g, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from therapy_portal import ui
from therapy_portal.extensions import csrf, db, limiter, login_manager, migrate
from therapy_portal.i18n import N_, gettext
from therapy_portal.settings import PROJECT_ROOT, PROXY_FIX_KEYS
from therapy_portal.ui import dates

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# The menus, by role; every entry is an endpoint with visible text (translated where shown).
THERAPIST_NAV = [
    ("today.index", N_("Today")),
    ("caseload.index", N_("Caseload")),
    ("homework.review_queue", N_("Homework to review")),
    ("appointments.week", N_("Sessions")),
    ("notes.index", N_("Session notes")),
    ("homework.library", N_("Exercise library")),
    ("messages.inbox", N_("Messages")),
]
ADMIN_NAV = [
    ("admin.therapists", N_("Therapists")),
    ("admin.audit_log", N_("Audit log")),
    ("admin_couples.couples", N_("Couples")),
    ("admin.practice_security", N_("Sign-in settings")),
    ("practice_settings.edit", N_("Practice settings")),
    ("consent_documents.documents", N_("Consent documents")),
]
PARTNER_NAV = [
    ("partner.home", N_("My homework")),
    ("measures.partner_index", N_("Check-ins")),
    ("my_sessions.index", N_("My sessions")),
    ("messages.partner_index", N_("Messages")),
    ("consents.partner_index", N_("Consents")),
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# Powerful browser features the portal never uses are off for it and anything it embeds.
# (WebAuthn keeps its default, same-origin only, for passkeys.)
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "interest-cohort=()"
)


def register_extensions(app: Flask) -> None:
    from therapy_portal import audit_chain, crypto, i18n, tasks
    from therapy_portal.sessions import DatabaseSessionInterface

    crypto.init_app(app)
    audit_chain.install()
    db.init_app(app)
    tasks.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."  # unused: `unauthorized` below
    login_manager.session_protection = None  # the server-side session already binds the login
    app.session_interface = DatabaseSessionInterface()

    @login_manager.user_loader
    def load_user(user_id: str):
        from therapy_portal.models import User

        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @login_manager.unauthorized_handler
    def unauthorized():
        from therapy_portal.auth.pending import stash_pending_post

        stash_pending_post()
        kept = request.method == "POST"
        if getattr(session, "expired_reason", None) in ("idle", "absolute"):
            notice = (
                gettext(
                    "You were logged out after a period of inactivity. We kept what you typed. "
                    "Log in to continue."
                )
                if kept
                else gettext(
                    "You were logged out after a period of inactivity. Log in to continue."
                )
            )
        elif kept:
            notice = gettext("Your session ended, so we kept what you typed. Log in to continue.")
        else:
            notice = gettext("Please log in to continue.")
        session["_login_notice"] = notice
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* headers only as configured: by default none, so a client cannot
    choose the address that login throttling and the audit log see."""
    hops = {key.removeprefix("PROXY_FIX_").lower(): app.config[key] for key in PROXY_FIX_KEYS}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user.is_authenticated or request.endpoint not in ("static", "core.healthz"):
            response.headers["Cache-Control"] = "no-store"
        return response

    from therapy_portal.models.vocabulary import JINJA_GLOBALS

    app.jinja_env.globals.update(JINJA_GLOBALS)  # Mode, Slot, Visibility, ... in templates
    ui.register(app)

    @app.template_filter("local_time")
    def local_time(value: datetime | None, fmt: str | None = None, zone: bool = True) -> str:
        """A stored UTC time in the practice's timezone (DESIGN §3), as ui.dates.when writes it
        (with the zone's abbreviation unless zone=False); `fmt` (strftime) only for machine text."""
        if value is None:
            return ""
        if fmt is None:
            return dates.when(value, with_zone=zone)
        return dates.local(value).strftime(fmt)

    @app.context_processor
    def layout_context() -> dict:
        from therapy_portal.admin.emergency import active_grant

        user = _signed_in_user()
        return {
            "emergency_grant": active_grant(user) if user is not None else None,
            "idle": _idle_context(app) if user is not None else None,
            "viewer": user,
            "app_name": app.config["APP_NAME"],
            "therapist_nav": THERAPIST_NAV,
            "partner_nav": PARTNER_NAV,
            "admin_nav": ADMIN_NAV,
        }


def _signed_in_user():
    """The signed-in user itself, not Flask-Login's proxy (the layout reads it a few dozen times
    a page), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]


def _idle_context(app: Flask) -> dict:
    """What static/idle.js needs: seconds to the idle limit and when to warn."""
    from therapy_portal.models import utcnow
    from therapy_portal.sessions import idle_seconds_left

    return {
        "seconds": idle_seconds_left(app, session, utcnow()),
        "warning": app.config["SESSION_WARNING_SECONDS"],
    }
