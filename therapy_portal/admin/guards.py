"""The one check every admin service starts with."""

from __future__ import annotations

from therapy_portal.errors import NotAllowed
from therapy_portal.models import Role, User


def require_admin(actor: User) -> None:
    """Anyone but an admin of the practice gets a plain "not found"."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("not found")
