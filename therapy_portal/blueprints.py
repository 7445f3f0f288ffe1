"""Every blueprint of the app, registered in one place.

A blueprint object lives in a small module of its area (`auth.blueprint`, `notes.blueprint`,
`homework.routes`, or the area's only `routes.py`); the modules that put views on it are imported
here, never by the blueprint's own module, so no view module is imported back by its blueprint.
"""

from __future__ import annotations

from flask import Blueprint, Flask


def _import_view_modules() -> None:
    """The modules that put views on a blueprint defined elsewhere in their area."""
    from therapy_portal.admin import routes_people  # noqa: F401 - its views are on admin_bp
    from therapy_portal.auth import (  # noqa: F401 - their views are on auth_bp
        routes_idle,
        routes_language,
        routes_mfa,
        routes_passkeys,
        routes_reset,
        routes_sessions,
    )
    from therapy_portal.homework import (  # noqa: F401 - their views are on homework_bp
        views_assign,
        views_library,
        views_partner,
        views_photos,
        views_review,
    )
    from therapy_portal.notes import (  # noqa: F401 - their views are on notes_bp
        routes,
        routes_export,
        routes_view,
    )
    from therapy_portal.supervision import routes as supervision_routes  # noqa: F401
    from therapy_portal.supervision import routes_admin  # noqa: F401 - on supervision_bp


def _blueprints() -> tuple[Blueprint, ...]:
    """Every area's blueprint, with the modules that put views on it imported first."""
    _import_view_modules()
    from therapy_portal.admin.routes import bp as admin_bp
    from therapy_portal.admin.routes_couples import bp as admin_couples_bp
    from therapy_portal.admin.settings import bp as practice_settings_bp
    from therapy_portal.appointments.routes import bp as appointments_bp
    from therapy_portal.appointments.routes_calendar import bp as calendar_bp
    from therapy_portal.appointments.routes_partner import bp as my_sessions_bp
    from therapy_portal.auth.routes import bp as auth_bp
    from therapy_portal.caseload.routes import bp as caseload_bp
    from therapy_portal.consents.routes import bp as consents_bp
    from therapy_portal.consents.routes_admin import bp as consent_documents_bp
    from therapy_portal.core.routes import bp as core_bp
    from therapy_portal.homework.routes import bp as homework_bp
    from therapy_portal.measures.routes import bp as measures_bp
    from therapy_portal.messages.routes import bp as messages_bp
    from therapy_portal.notes.blueprint import bp as notes_bp
    from therapy_portal.partner.routes import bp as partner_bp
    from therapy_portal.plans.routes import bp as plans_bp
    from therapy_portal.supervision.blueprint import bp as supervision_bp
    from therapy_portal.today.routes import bp as today_bp

    return (
        core_bp,
        auth_bp,
        admin_bp,
        admin_couples_bp,
        practice_settings_bp,
        caseload_bp,
        partner_bp,
        measures_bp,
        notes_bp,
        homework_bp,
        today_bp,
        appointments_bp,
        my_sessions_bp,
        calendar_bp,
        messages_bp,
        consents_bp,
        consent_documents_bp,
        plans_bp,
        supervision_bp,
    )


def register_blueprints(app: Flask) -> None:
    for bp in _blueprints():
        app.register_blueprint(bp)
    if app.config.get("DEV_MAILBOX"):
        if app.config["ENV_NAME"] == "production":
            from therapy_portal.settings import ConfigurationError

            raise ConfigurationError("DEV_MAILBOX shows every email: never in production.")
        from therapy_portal.devmail.routes import bp as devmail_bp

        app.register_blueprint(devmail_bp)
