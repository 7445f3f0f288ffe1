"""Therapy Portal: practice support for couples therapists."""

from __future__ import annotations

from typing import Any

from flask import Flask

from therapy_portal.settings import PROJECT_ROOT


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application. Wiring only: no database access, no network."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    from therapy_portal import areas, boundary, cli, errors, web
    from therapy_portal.blueprints import register_blueprints
    from therapy_portal.policy import check_routes_declared
    from therapy_portal.settings import load_settings

    load_settings(app, config_name, overrides)
    web.register_proxy_fix(app)
    web.register_extensions(app)
    areas.connect(app)
    register_blueprints(app)
    check_routes_declared(app)  # a route without `policy.requires`/`policy.public` fails here
    boundary.install(app)
    errors.register_error_handlers(app)
    web.register_request_hooks(app)
    cli.register_commands(app)
    return app
