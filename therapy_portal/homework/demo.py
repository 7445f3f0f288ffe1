"""Demo homework for `make run`: the library, a few assignments and answers in several states."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.common import practice_today
from therapy_portal.models.homework import ExerciseTemplate, Occurrence
from therapy_portal.models.vocabulary import Audience, Cadence, HomeworkQuality, Mode, Slot

GRATITUDE_A = {
    "p_what_they_did": ["Made coffee before my early shift without being asked."],
    "p_why_it_mattered": ["I felt looked after on a hard morning."],
    "p_thanked": ["yes"],
    "p_felt_appreciated": ["4"],
}
GRATITUDE_B_DRAFT = {"p_what_they_did": ["Picked up my sister from the airport"]}
SOLO = {
    Slot.A: {
        "p_plan": ["A long run by the river, then the bookshop."],
        "p_planned_date": [None],
        "p_hours": ["3"],
        "p_restoring": ["8"],
        "p_bring_back": ["More patience. I came home wanting to hear about their day."],
        "p_about_partner_time": ["Glad for them"],
        "p_for_therapist": [""],
    },
    Slot.B: {
        "p_plan": ["Pottery class with a friend."],
        "p_planned_date": [None],
        "p_hours": ["2.5"],
        "p_restoring": ["4"],
        "p_bring_back": ["I felt guilty for leaving and kept checking my phone."],
        "p_about_partner_time": ["A little uneasy"],
        "p_for_therapist": ["I'm not sure yet why their time away worries me."],
    },
}


def _template(slug: str) -> ExerciseTemplate:
    return db.session.scalar(select(ExerciseTemplate).where(ExerciseTemplate.slug == slug))


def _first_occurrence(assignment) -> Occurrence:
    return db.session.scalar(
        select(Occurrence)
        .where(Occurrence.assignment_id == assignment.id)
        .order_by(Occurrence.sequence)
    )


def seed_homework(world: dict) -> None:
    services.load_library()
    therapist = world["staff"][1]
    today = practice_today(therapist)
    (rivera, (sam, alex)), (okafor, (chidi, elin)) = world["couples"][0], world["couples"][1]

    gratitude = services.latest_version(_template("daily-appreciation-log"))
    assignment = services.assign(
        therapist,
        rivera,
        services.AssignInput(
            version_id=gratitude.id,
            mode=Mode.EACH_PARTNER,
            visibility={},
            due_on=today,
            cadence=Cadence.DAILY,
            ends_on=today + timedelta(days=6),
            note="Keep it short: two minutes before bed is plenty.",
        ),
    )
    first = _first_occurrence(assignment)
    services.submit(sam, _seat(sam, first), GRATITUDE_A, 0, "demo-gratitude-sam-0001")
    services.save_draft(alex, _seat(alex, first), GRATITUDE_B_DRAFT, 0)

    solo = services.latest_version(_template("solo-time"))
    assignment = services.assign(
        therapist,
        okafor,
        services.AssignInput(
            version_id=solo.id,
            mode=Mode.EACH_PARTNER,
            visibility={},
            due_on=today,
            note="Plan something just for you this week, then tell us how it went.",
        ),
    )
    first = _first_occurrence(assignment)
    planned = (today - timedelta(days=1)).isoformat()
    for user, label in ((chidi, Slot.A), (elin, Slot.B)):
        fields = {k: ([planned] if v == [None] else v) for k, v in SOLO[label].items()}
        services.submit(user, _seat(user, first), fields, 0, f"demo-solo-{label}-0000000001")
    db.session.flush()


THANKS_PRIYA = {
    "p_favour": ["Minh sorted the recycling before the collection."],
    "p_what_i_said": ["Thanks."],
    "p_how_i_thanked": ["By message or phone"],
    "p_was_thanked": ["no"],
}


def _seat(partner, occurrence: Occurrence) -> policy.PartnerSeat:
    return policy.occurrence_for_partner_or_404(partner, occurrence.id)


def _assign(therapist, couple, slug: str, due_on, note: str, **extra):
    version = services.latest_version(_template(slug))
    return services.assign(
        therapist,
        couple,
        services.AssignInput(
            version_id=version.id,
            mode=Mode.EACH_PARTNER,
            visibility={},
            due_on=due_on,
            note=note,
            **extra,
        ),
    )


def seed_more_homework_states(world: dict) -> None:
    """Reviewed with feedback, returned for more, overdue, cancelled and not yet started."""
    maya, jordan = world["staff"][1], world["staff"][2]
    _reviewed_with_feedback(maya, world["couples"][1][0])
    patel, (priya, _minh) = world["couples"][2]
    _returned_and_overdue(maya, patel, priya)
    _cancelled_and_not_started(jordan, world["couples"][4][0])
    db.session.flush()


def _reviewed_with_feedback(maya, okafor) -> None:
    """Okafor & Lindqvist: both answered the solo-time exercise; the therapist responded, and
    rated how fully each did it."""
    solo = policy.occurrence_for_therapist_or_404(
        maya,
        db.session.scalar(
            select(Occurrence.id).where(Occurrence.couple_id == okafor.id).order_by(Occurrence.id)
        ),
    )
    services.add_feedback(
        maya,
        solo,
        "You both protected real time for yourselves. Let's talk about the unease "
        "that came up, without judging it.",
        Audience.BOTH,
    )
    services.mark_reviewed(maya, solo)
    services.rate_homework(
        maya, solo, {Slot.A: HomeworkQuality.FULLY, Slot.B: HomeworkQuality.PARTLY}
    )


def _returned_and_overdue(maya, patel, priya) -> None:
    """Patel & Nguyen: Priya's thank-you was returned for more; a soft start-up is overdue."""
    today = practice_today(maya)
    thanks = _assign(
        maya, patel, "thank-you-for-a-small-favour", today, "Notice one small thing this week."
    )
    occurrence = _first_occurrence(thanks)
    result = services.submit(
        priya, _seat(priya, occurrence), THANKS_PRIYA, 0, "demo-thanks-priya-000001"
    )
    services.return_response(
        maya,
        policy.homework_response_for_therapist_or_404(maya, result.response.id),
        "Could you write what you said in a little more detail, and why it mattered?",
    )
    overdue = _assign(maya, patel, "soft-start-up", today, "Pick a complaint that comes up often.")
    late = _first_occurrence(overdue)
    late.due_on = today - timedelta(days=3)  # demo only: the service refuses past due dates


def _cancelled_and_not_started(jordan, moreau) -> None:
    """Moreau & Silva: one cancelled exercise, one weekly conversation not started yet."""
    today = practice_today(jordan)
    cancelled = _assign(
        jordan,
        moreau,
        "friends-night",
        today + timedelta(days=5),
        "An evening with friends, each on your own.",
    )
    services.cancel(jordan, cancelled)
    _assign(
        jordan,
        moreau,
        "state-of-us",
        today + timedelta(days=2),
        "Thirty minutes, phones away.",
        cadence=Cadence.WEEKLY,
        ends_on=today + timedelta(days=30),
    )
