"""Access expectations for homework routes (library, assigning, answering, review)."""

from __future__ import annotations

from sqlalchemy import select

from tests.access.core import ALL, ANY_THERAPIST, THERAPIST_C1, only
from tests.factories import World
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence

PARTNERS_C1 = only(("partner_a", "partner_b"))
AUTHOR_A = only(("partner_a",))

EXPECTED = {
    "homework.library": ANY_THERAPIST,
    "homework.template_detail": ANY_THERAPIST,
    "homework.copy_template": ANY_THERAPIST,
    "homework.new_template": ANY_THERAPIST,
    "homework.edit_template": ANY_THERAPIST,
    "homework.preview_version": ANY_THERAPIST,
    "homework.version_fhir": ANY_THERAPIST,
    "homework.couple_homework": THERAPIST_C1,
    "homework.assign": THERAPIST_C1,
    "homework.assignment_detail": THERAPIST_C1,
    "homework.cancel_assignment": THERAPIST_C1,
    "homework.extend_assignment": THERAPIST_C1,
    "homework.change_due": THERAPIST_C1,
    "homework.review_queue": ANY_THERAPIST,
    "homework.review": THERAPIST_C1,
    "homework.give_feedback": THERAPIST_C1,
    "homework.mark_reviewed": THERAPIST_C1,
    "homework.return_response": THERAPIST_C1,
    "homework.release_response": THERAPIST_C1,
    "homework.response_fhir": THERAPIST_C1,
    "homework.answer": PARTNERS_C1,
    "homework.answer_post": PARTNERS_C1,
    "homework.draft": PARTNERS_C1,
    # A kept conflict copy belongs to the partner who typed it.
    "homework.dismiss_conflict": AUTHOR_A,
}
assert all(set(table) == set(ALL) for table in EXPECTED.values())


def params(world: World) -> dict:
    therapist = db.session.get(User, world.ids["therapist"])
    couple = db.session.get(Couple, world.couple_ids["c1"])
    partner_a = db.session.get(User, world.ids["partner_a"])
    template = services.create_template(
        therapist,
        services.TemplateInput(
            title="Matrix exercise",
            family="gratitude",
            summary="",
            instructions="Do it.",
            default_mode="each_partner",
            default_cadence="once",
            prompts=[
                {
                    "key": "note",
                    "type": "short_text",
                    "label": "A note",
                    "visibility": "released_by_therapist",
                }
            ],
        ),
    )
    version = services.latest_version(template)
    assignment = services.assign(
        therapist,
        couple,
        services.AssignInput(
            version_id=version.id,
            mode="each_partner",
            visibility={},
            due_on=practice_today(therapist),
            cadence="weekly",
            ends_on=practice_today(therapist),
        ),
    )
    occurrence = db.session.scalar(
        select(Occurrence).where(Occurrence.assignment_id == assignment.id)
    )
    services.save_draft(partner_a, occurrence.id, {"p_note": ["first"]}, 0)
    conflict = services.save_draft(partner_a, occurrence.id, {"p_note": ["stale"]}, 0).conflict
    response = services.submit(
        partner_a, occurrence.id, {"p_note": ["hello"]}, 1, "matrix-key-000000001"
    ).response
    db.session.commit()
    return {
        "template_id": template.id,
        "exercise_version_id": version.id,
        "assignment_id": assignment.id,
        "occurrence_id": occurrence.id,
        "homework_response_id": response.id,
        "draft_conflict_id": conflict.id,
    }
