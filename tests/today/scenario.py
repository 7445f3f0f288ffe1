"""A therapist's busy day: one of each thing the Today page lists, for a couple."""

from __future__ import annotations

from datetime import time, timedelta

from tests.factories import partner
from tests.homework.factories import answers, assign, first_occurrence, make_version, submit
from therapy_portal.extensions import db
from therapy_portal.homework.services.common import practice_today
from therapy_portal.measures import checkins
from therapy_portal.measures import services as measures
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import OutcomeAlert, OutcomeKind
from therapy_portal.notes import services as notes


def waiting_answer(therapist: User, couple: Couple, title: str = "Appreciation walk"):
    version = make_version(therapist, title=title)
    occurrence = first_occurrence(assign(therapist, couple, version))
    submit(partner(couple, "A"), occurrence, answers("a"))
    return occurrence


def overdue_homework(therapist: User, couple: Couple, title: str = "Weekly date plan"):
    version = make_version(therapist, title=title)
    occurrence = first_occurrence(assign(therapist, couple, version))
    occurrence.due_on -= timedelta(days=10)
    return occurrence


def running_checkin(therapist: User, couple: Couple, instrument: str = "csi4", days_ago: int = 8):
    start = practice_today(therapist) - timedelta(days=days_ago)
    return measures.schedule_checkin(therapist, couple, instrument, 1, start)


def safety_alert(therapist: User, couple: Couple):
    schedule = running_checkin(therapist, couple, "phq9", days_ago=0)
    answers_ = {str(i): 0 for i in range(1, 10)} | {"9": 1}
    return checkins.submit_checkin(partner(couple, "A"), schedule, answers_)


def outcome_alert(couple: Couple, response) -> OutcomeAlert:
    """A reliable-worsening alert resting on ``response`` (its partner and instrument)."""
    alert = OutcomeAlert(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        partner_id=response.partner_id,
        instrument=response.instrument,
        kind=OutcomeKind.WORSENING,
        figures={"baseline": 3, "latest": 12, "change": 9, "rci": 4.0, "needed": 5.51},
        response_id=response.id,
    )
    db.session.add(alert)
    db.session.flush()
    return alert


def draft_note(therapist: User, couple: Couple, days_ago: int = 5):
    facts = notes.SessionFacts(
        session_date=practice_today(therapist) - timedelta(days=days_ago),
        start_time=time(10, 0),
        end_time=time(10, 50),
        attendees="both",
        service_code="90847",
        modality="in_person",
        format="soap",
    )
    return notes.create_note(therapist, couple, facts)


def busy_day(therapist: User, couple: Couple) -> dict:
    """One of each: an answer waiting, overdue homework, a check-in missed and due, a safety
    alert, an outcome alert, a draft note of a session five days ago."""
    made = {
        "waiting": waiting_answer(therapist, couple),
        "overdue": overdue_homework(therapist, couple),
        "checkin": running_checkin(therapist, couple),
        "alert": safety_alert(therapist, couple),
    }
    made["outcome"] = outcome_alert(couple, made["alert"])
    made["note"] = draft_note(therapist, couple)
    return made
