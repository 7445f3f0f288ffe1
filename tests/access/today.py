"""Access expectations for the Today page, practice settings and the practice logo."""

from __future__ import annotations

from tests.access.core import ADMIN, ANY_THERAPIST
from tests.factories import World

EXPECTED = {
    "today.index": ANY_THERAPIST,
    "practice_settings.edit": ADMIN,
    # The test world's practices have no logo: a 404 for everyone signed in (the route's own
    # tests upload one and fetch it as each role).
    "practice_settings.logo": {
        "anonymous": "login",
        **{who: "denied" for who in ANY_THERAPIST if who != "anonymous"},
    },
}


def params(world: World) -> dict:
    return {}
