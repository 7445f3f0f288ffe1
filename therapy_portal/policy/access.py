"""Route-level access: every view declares who may reach it, or the app refuses to start.

`@requires(Role.THERAPIST)` lets signed-in therapists through; anyone else signed in gets the same
404 as a missing page (and an audit event); anonymous visitors go to the login page.
`@public` marks pages anyone may open. Object-level checks are the scoped loaders' job.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, request
from flask_login import current_user

from therapy_portal import audit
from therapy_portal.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = "public"


def public(view: F) -> F:
    view._access = (PUBLIC,)  # type: ignore[attr-defined]
    return view


def requires(*roles: str) -> Callable[[F], F]:
    if not roles:
        raise ValueError("requires() needs at least one role")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                audit.record_denied(
                    "route.denied", actor=current_user, object_type="route", reason=request.endpoint
                )
                abort(404)
            return view(*args, **kwargs)

        wrapped._access = tuple(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def undeclared_routes(app: Flask) -> list[str]:
    """Endpoints whose view declares no access rule (static files excepted)."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "_access")
    )


def check_routes_declared(app: Flask) -> None:
    missing = undeclared_routes(app)
    if missing:
        raise RuntimeError("Routes without an access rule: " + ", ".join(missing))
