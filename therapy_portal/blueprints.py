"""Every blueprint of the app, registered in one place."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from therapy_portal.admin.routes import bp as admin_bp
    from therapy_portal.admin.routes_couples import bp as admin_couples_bp
    from therapy_portal.auth.routes import bp as auth_bp
    from therapy_portal.caseload.routes import bp as caseload_bp
    from therapy_portal.core.routes import bp as core_bp
    from therapy_portal.homework.routes import bp as homework_bp
    from therapy_portal.measures.routes import bp as measures_bp
    from therapy_portal.notes.routes import bp as notes_bp
    from therapy_portal.partner.routes import bp as partner_bp

    for bp in (
        core_bp,
        auth_bp,
        admin_bp,
        admin_couples_bp,
        caseload_bp,
        partner_bp,
        measures_bp,
        notes_bp,
        homework_bp,
    ):
        app.register_blueprint(bp)
    if app.config.get("DEV_MAILBOX"):
        if app.config["ENV_NAME"] == "production":
            from therapy_portal.settings import ConfigurationError

            raise ConfigurationError("DEV_MAILBOX shows every email: never in production.")
        from therapy_portal.devmail.routes import bp as devmail_bp

        app.register_blueprint(devmail_bp)
