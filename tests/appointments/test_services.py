"""Scheduling, changing, cancelling and marking sessions, and the bad input the issue names."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.appointments.factories import make_session, session_input
from therapy_portal.appointments import services
from therapy_portal.appointments.rules import Repeat
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, utcnow
from therapy_portal.models.appointments import Appointment

ONLINE = {"modality": "online", "meeting_link": "https://video.example.org/room-7"}


def _refused(people, **overrides) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        services.schedule(people["therapist"], people["couple"], session_input(**overrides))
    return caught.value


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"duration_minutes": 0}, "duration_minutes", "between 1 and 480"),
        ({"duration_minutes": 481}, "duration_minutes", "between 1 and 480"),
        ({"duration_minutes": None}, "duration_minutes", "between 1 and 480"),
        ({"modality": "online", "meeting_link": ""}, "meeting_link", "needs its meeting link"),
        ({"modality": "online", "meeting_link": "javascript:alert(1)"}, "meeting_link", "https://"),
        ({"repeat": Repeat.WEEKLY}, "ends_on", "needs an end"),
        ({"repeat": Repeat.EVERY_N_WEEKS, "occurrences": 4}, "every_weeks", "2 to 12"),
        ({"repeat": Repeat.WEEKLY, "occurrences": 60}, "occurrences", "2 to 52"),
        ({"starts_on": None}, "starts_on", "Enter the date"),
        ({"start_time": None}, "start_time", "Enter the start time"),
        ({"attendees": "C"}, "attendees", "Choose who"),
        ({"service_code": "99999"}, "service_code", "service code"),
    ],
)
def test_bad_input_is_refused_next_to_its_field(people, overrides, field, words):
    error = _refused(people, **overrides)
    assert error.field == field
    assert words in error.message


def test_a_series_needs_exactly_one_end_and_at_most_52_sessions(people):
    start = session_input().starts_on
    both = _refused(people, repeat=Repeat.WEEKLY, ends_on=start + timedelta(weeks=3), occurrences=3)
    assert both.field == "ends_on" and "not both" in both.message
    too_long = _refused(people, repeat=Repeat.WEEKLY, ends_on=start + timedelta(weeks=60))
    assert too_long.field == "ends_on" and "more than 52" in too_long.message
    backwards = _refused(people, repeat=Repeat.WEEKLY, ends_on=start - timedelta(days=1))
    assert backwards.field == "ends_on"


def test_a_past_time_is_refused_unless_recorded_and_recorded_is_marked(people):
    yesterday = (utcnow() - timedelta(days=1)).date()
    error = _refused(people, starts_on=yesterday)
    assert error.field == "starts_on" and "already happened" in error.message
    made = services.schedule(
        people["therapist"], people["couple"], session_input(starts_on=yesterday, recorded=True)
    )
    assert len(made) == 1 and made[0].recorded and made[0].status == "attended"
    action = db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))
    assert action == "appointment.record"


def test_a_recording_must_have_ended_and_cannot_repeat(people):
    assert _refused(people, recorded=True).field == "recorded"
    yesterday = (utcnow() - timedelta(days=1)).date()
    repeat = _refused(
        people, starts_on=yesterday, recorded=True, repeat=Repeat.WEEKLY, occurrences=3
    )
    assert repeat.field == "repeat"


def test_an_overlap_is_warned_then_allowed(people):
    therapist, couple = people["therapist"], people["couple"]
    services.schedule(therapist, couple, session_input())
    warning = _refused(people, start_time=session_input().start_time.replace(minute=30))
    assert warning.field == "allow_overlap" and "Lopez & Kim" in warning.message
    made = services.schedule(
        therapist,
        couple,
        session_input(start_time=session_input().start_time.replace(minute=30), allow_overlap=True),
    )
    assert len(made) == 1
    # A cancelled session is no overlap; back-to-back is none either.
    made[0].status = "cancelled"
    later = session_input(start_time=session_input().start_time.replace(hour=17, minute=50))
    assert services.schedule(therapist, couple, later)


def test_online_session_keeps_its_link_encrypted_and_in_person_drops_it(people):
    therapist, couple = people["therapist"], people["couple"]
    online = services.schedule(therapist, couple, session_input(**ONLINE))[0]
    in_person = services.schedule(
        therapist,
        couple,
        session_input(
            start_time=session_input().start_time.replace(hour=9),
            meeting_link="https://ignored.example.org",
        ),
    )[0]
    db.session.commit()
    raw = db.session.execute(
        sa.text("SELECT meeting_link, details FROM appointment WHERE id = :id"), {"id": online.id}
    ).one()
    assert "video.example.org" not in raw[0]
    assert online.meeting_link == ONLINE["meeting_link"]
    assert in_person.meeting_link is None


def test_only_the_couple_s_therapists_schedule_and_not_for_a_closed_couple(people):
    with pytest.raises(NotAllowed):
        services.schedule(people["outsider"], people["couple"], session_input())
    assert services.schedule(people["co"], people["couple"], session_input())
    people["couple"].status = "closed"
    with pytest.raises(InvalidState, match="closed"):
        services.schedule(people["therapist"], people["couple"], session_input())


def test_reschedule_moves_an_upcoming_session_and_refuses_a_past_one(people):
    therapist, couple = people["therapist"], people["couple"]
    session = services.schedule(therapist, couple, session_input())[0]
    moved = services.reschedule(
        therapist,
        session,
        session_input(start_time=session_input().start_time.replace(hour=9), **ONLINE),
    )
    assert moved.starts_at.hour in (14, 13) and moved.is_online  # 09:00 in New York
    assert moved.ends_at - moved.starts_at == timedelta(minutes=50)
    with pytest.raises(ValidationFailed) as caught:
        services.reschedule(therapist, session, session_input(duration_minutes=0))
    assert caught.value.field == "duration_minutes"
    past = make_session(therapist, couple, starts_at=utcnow() - timedelta(hours=3))
    with pytest.raises(InvalidState):
        services.reschedule(therapist, past, session_input())


def test_cancel_one_or_the_rest_of_a_series(people):
    therapist, couple = people["therapist"], people["couple"]
    made = services.schedule(therapist, couple, session_input(repeat=Repeat.WEEKLY, occurrences=5))
    assert services.cancel(therapist, made[1]) == 1
    assert services.cancel(therapist, made[2], rest_of_series=True) == 3
    db.session.expire_all()
    statuses = [db.session.get(Appointment, a.id).status for a in made]
    assert statuses == ["scheduled", "cancelled", "cancelled", "cancelled", "cancelled"]
    with pytest.raises(InvalidState):
        services.cancel(therapist, db.session.get(Appointment, made[1].id))


def test_outcomes_once_started_and_never_for_a_cancelled_session(people):
    therapist, couple = people["therapist"], people["couple"]
    upcoming = make_session(therapist, couple)
    with pytest.raises(InvalidState, match="once the session has started"):
        services.record_outcome(therapist, upcoming, "attended")
    assert services.record_outcome(therapist, upcoming, "late_cancelled").status == "late_cancelled"
    past = make_session(therapist, couple, starts_at=utcnow() - timedelta(hours=2))
    for outcome in ("no_show", "attended"):
        assert services.record_outcome(therapist, past, outcome).status == outcome
    with pytest.raises(ValidationFailed):
        services.record_outcome(therapist, past, "cancelled")
    cancelled = make_session(
        therapist, couple, starts_at=utcnow() - timedelta(hours=5), status="cancelled"
    )
    with pytest.raises(InvalidState):
        services.record_outcome(therapist, cancelled, "attended")
