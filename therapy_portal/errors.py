"""Domain errors raised by services, and the handlers that map them to responses."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from therapy_portal.extensions import db


class DomainError(Exception):
    """Base class: a rule of the domain refused the action. The message is safe to show."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.context = context


class NotAllowed(DomainError):
    """Not permitted, or not found: both look the same to the requester (404)."""

    status = 404


class ValidationFailed(DomainError):
    status = 422


class Conflict(DomainError):
    status = 409


class InvalidState(DomainError):
    status = 409


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _error_page(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


# What a CSRF refusal is recorded as: a fixed code, never the token or the form's text.
_CSRF_REASONS = (
    ("referrer", "referrer"),
    ("missing", "missing"),
    ("expired", "expired"),
    ("do not match", "invalid"),
    ("invalid", "invalid"),
)


def _audit_csrf_failure(error: CSRFError) -> None:
    """A refused CSRF token is a security event (ASVS 16.3.3): who, where, and why in a word."""
    from flask_login import current_user

    from therapy_portal import audit

    text = (error.description or "").lower()
    reason = next((code for word, code in _CSRF_REASONS if word in text), "other")
    db.session.rollback()
    audit.record_denied(
        "security.csrf_failed",
        actor=current_user,
        object_type="request",
        reason=reason,
        kind=request.endpoint or "",
    )
    audit.flush_after_rollback()


def register_error_handlers(app: Flask) -> None:
    from therapy_portal import audit
    from therapy_portal.i18n import gettext

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        db.session.rollback()
        audit.flush_after_rollback()
        return _error_page(404, gettext("Page not found"), gettext("We couldn't find that page."))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        audit.flush_after_rollback()
        return _error_page(error.status, gettext("That didn't work"), error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        _audit_csrf_failure(error)
        # An HTML form is dispatched again: its own CSRF field fails validation, so it re-renders
        # with everything the user typed and a message, never throwing the text away.
        g.csrf_error = error.description
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and not _wants_json() and request.form:
            return view(**(request.view_args or {}))
        return _error_page(
            400,
            gettext("Please try again"),
            gettext("This form had expired. Reload and try again."),
        )

    @app.errorhandler(404)
    def not_found(error: NotFound):
        db.session.rollback()
        audit.flush_after_rollback()
        return _error_page(404, gettext("Page not found"), gettext("We couldn't find that page."))

    @app.errorhandler(403)
    def forbidden(error: HTTPException):
        return _error_page(
            403, gettext("Not available"), gettext("You don't have access to this page.")
        )

    @app.errorhandler(405)
    def method_not_allowed(error: HTTPException):
        return _error_page(
            405, gettext("Not available"), gettext("That action isn't available here.")
        )

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        return _error_page(
            413, gettext("Too much text"), gettext("That was more than we can accept in one go.")
        )

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return _error_page(
            500,
            gettext("Something went wrong"),
            gettext("Something went wrong on our side. Nothing you saved before this was lost."),
        )
