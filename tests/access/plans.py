"""Access expectations for treatment plans and supervision.

In this world "other_therapist" supervises "therapist": the therapist's signed note and signed
plan version await their co-signature. Partners never reach a plan.
"""

from __future__ import annotations

from datetime import timedelta

from tests import clock
from tests.access.core import ADMIN, ANY_THERAPIST, THERAPIST_C1, only
from tests.factories import World
from tests.notes.factories import make_note
from tests.plans.factories import make_plan, supervise
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import MeasureSchedule
from therapy_portal.models.plans import GoalLink
from therapy_portal.plans import services

SUPERVISION = only(("therapist", "other_therapist"))

EXPECTED = {
    "plans.couple_plan": THERAPIST_C1,
    "plans.start": THERAPIST_C1,
    "plans.version": THERAPIST_C1,
    "plans.edit": THERAPIST_C1,
    "plans.sign": THERAPIST_C1,
    "plans.amend": THERAPIST_C1,
    "plans.pdf": THERAPIST_C1,
    "plans.link": THERAPIST_C1,
    "plans.unlink": THERAPIST_C1,
    "supervision.queue": ANY_THERAPIST,
    # The couple's therapist reads it; the supervisor it was sent to reads and co-signs it.
    # Anyone else of the couple's care team who presses "co-sign" is refused with a message.
    "supervision.note": SUPERVISION,
    "supervision.cosign_note": SUPERVISION,
    "supervision.comment": SUPERVISION,
    "supervision.plan": SUPERVISION,
    "supervision.cosign_plan": SUPERVISION,
    "supervision.people": ADMIN,
    "supervision.set_supervisor": ADMIN,
}


def params(world: World) -> dict:
    therapist = db.session.get(User, world.ids["therapist"])
    supervisor = db.session.get(User, world.ids["other_therapist"])
    couple = db.session.get(Couple, world.couple_ids["c1"])
    supervise(therapist, supervisor)
    note = make_note(therapist, couple, signed=True, session_date=clock.today() - timedelta(days=2))
    signed = make_plan(therapist, couple, signed=True)
    draft = services.amend_plan(therapist, signed)
    schedule = MeasureSchedule(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        instrument="csi4",
        starts_on=clock.today() - timedelta(days=7),
    )
    db.session.add(schedule)
    db.session.flush()
    goal = services.goals_of(draft)[0]
    link = GoalLink(practice_id=couple.practice_id, goal_id=goal.id, schedule_id=schedule.id)
    db.session.add(link)
    db.session.commit()
    return {
        "version_id": draft.id,
        "plan_version_id": signed.id,
        "signed_note_id": note.id,
        "goal_id": goal.id,
        "link_id": link.id,
    }
