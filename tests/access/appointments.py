"""Access expectations for sessions: the therapist's pages, the partner's, calendar feeds."""

from __future__ import annotations

from datetime import timedelta

from tests.access.core import ALL, THERAPIST_C1, only
from tests.appointments.factories import make_session
from tests.factories import World
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User, utcnow

COUPLE_PARTNERS = only(("partner_a", "partner_b"))

EXPECTED = {
    "appointments.week": only(("therapist", "other_therapist")),
    # Without a couple it goes back to the week; with C1's id only C1's therapist gets the form.
    "appointments.choose_couple": only(("therapist", "other_therapist")),
    "appointments.couple_sessions": THERAPIST_C1,
    "appointments.new": THERAPIST_C1,
    "appointments.detail": THERAPIST_C1,
    "appointments.edit": THERAPIST_C1,
    "appointments.cancel": THERAPIST_C1,
    "appointments.outcome": THERAPIST_C1,
    "appointments.start_note": THERAPIST_C1,
    "appointments.ics": THERAPIST_C1,
    "my_sessions.index": only(("partner_a", "partner_b", "other_partner")),
    "my_sessions.set_reminders": only(("partner_a", "partner_b", "other_partner")),
    # The world's session is for both partners of C1.
    "my_sessions.detail": COUPLE_PARTNERS,
    "my_sessions.ics": COUPLE_PARTNERS,
    "calendar.make_feed": only(
        ("partner_a", "partner_b", "other_partner", "therapist", "other_therapist")
    ),
    "calendar.revoke_feed": only(
        ("partner_a", "partner_b", "other_partner", "therapist", "other_therapist")
    ),
    # Public, but the matrix's token is no feed's: a 404 for everyone.
    "calendar.feed": {who: "denied" for who in ALL},
}


def params(world: World) -> dict:
    therapist = db.session.get(User, world.ids["therapist"])
    couple = db.session.get(Couple, world.couple_ids["c1"])
    session = make_session(therapist, couple, starts_at=utcnow() + timedelta(days=2))
    db.session.commit()
    return {"appointment_id": session.id}
