"""Access expectations for secure messages."""

from __future__ import annotations

from tests.access.core import ANY_THERAPIST, PARTNERS, THERAPIST_C1
from tests.factories import World
from therapy_portal.extensions import db
from therapy_portal.messages import services
from therapy_portal.models import User
from therapy_portal.policy import messages as rules

EXPECTED = {
    # A partner's threads are named by kind and are always their own: every partner reaches
    # their own couple thread and private thread at the same URLs.
    "messages.partner_index": PARTNERS,
    "messages.partner_thread": PARTNERS,
    "messages.partner_send": PARTNERS,
    "messages.inbox": ANY_THERAPIST,
    "messages.couple_threads": THERAPIST_C1,
    "messages.therapist_thread": THERAPIST_C1,
    "messages.therapist_send": THERAPIST_C1,
    "messages.mark_handled": THERAPIST_C1,
}


def params(world: World) -> dict:
    partner_a = db.session.get(User, world.ids["partner_a"])
    place = rules.thread_for_partner_or_404(partner_a, "private")
    services.send(partner_a, place, "A first private message")
    db.session.commit()
    return {"kind": "private", "scope": "A"}
