"""What the sign-in page shows besides the form: in development, the demo practice's logins
(read from the demo seeding code, so they are always the ones `flask seed-demo` made)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str


def demo_logins() -> tuple[str, list[DemoLogin]] | None:
    """(password, logins) when DEMO_LOGINS_ON_SIGN_IN is on (development only), else None."""
    if not current_app.config.get("DEMO_LOGINS_ON_SIGN_IN"):
        return None
    from therapy_portal.demo import COUPLES, DEMO_PASSWORD, STAFF

    logins = [DemoLogin(role, email, name) for role, name, email, _ in STAFF]
    for _name, _policy, a, b, *_rest in COUPLES[:3]:
        logins += [DemoLogin("partner", p[1], p[0]) for p in (a, b) if p]
    return DEMO_PASSWORD, logins
