"""Access expectations for homework routes (library, assigning, answering, review)."""

from __future__ import annotations

from sqlalchemy import select

from tests.access.core import ALL, ANY_THERAPIST, THERAPIST_C1, only
from tests.factories import World
from tests.homework import photo_samples
from tests.homework.factories import assign, first_occurrence, make_version, seat
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.common import practice_today
from therapy_portal.homework.services.photos import PhotoChanges, Upload
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence
from therapy_portal.models.photos import AnswerPhoto

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
    "homework.rate_quality": THERAPIST_C1,
    "homework.return_response": THERAPIST_C1,
    "homework.release_response": THERAPIST_C1,
    "homework.response_fhir": THERAPIST_C1,
    "homework.answer": PARTNERS_C1,
    "homework.answer_post": PARTNERS_C1,
    "homework.draft": PARTNERS_C1,
    # A kept conflict copy belongs to the partner who typed it.
    "homework.dismiss_conflict": AUTHOR_A,
    # Partner A's photo on a therapist-only prompt: its author and the couple's therapist.
    "homework.photo": only(("partner_a", "therapist")),
    "homework.photo_thumbnail": only(("partner_a", "therapist")),
    # A's PDF copy of A's own answer; B has not submitted, so B is sent back to the page.
    "homework.answer_copy": PARTNERS_C1,
}
assert all(set(table) == set(ALL) for table in EXPECTED.values())


def _photo_of_a(therapist: User, couple: Couple, partner_a: User) -> str:
    """Partner A submits a photo to a therapist-only prompt; its public id."""
    version = make_version(
        therapist,
        prompts=[
            {"key": "pic", "type": "photos", "label": "A photo", "visibility": "therapist_only"}
        ],
    )
    occurrence = first_occurrence(assign(therapist, couple, version))
    changes = PhotoChanges({"pic": [Upload("a.png", photo_samples.png())]})
    posted = services.AnswerInput({}, 0, "matrix-photo-key-00001", True, changes)
    assert services.answer(partner_a, seat(partner_a, occurrence), posted).done
    return db.session.scalar(select(AnswerPhoto.public_id))


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
    services.save_draft(partner_a, seat(partner_a, occurrence), {"p_note": ["first"]}, 0)
    conflict = services.save_draft(
        partner_a, seat(partner_a, occurrence), {"p_note": ["stale"]}, 0
    ).conflict
    response = services.submit(
        partner_a, seat(partner_a, occurrence), {"p_note": ["hello"]}, 1, "matrix-key-000000001"
    ).response
    photo_id = _photo_of_a(therapist, couple, partner_a)
    db.session.commit()
    return {
        "photo_id": photo_id,
        "template_id": template.id,
        "exercise_version_id": version.id,
        "assignment_id": assignment.id,
        "occurrence_id": occurrence.id,
        "homework_response_id": response.id,
        "draft_conflict_id": conflict.id,
    }
