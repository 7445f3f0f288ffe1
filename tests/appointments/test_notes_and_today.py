"""A note started from a session, and what the Today page and the partner's home will ask."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.appointments.factories import make_session
from tests.notes.factories import make_note, note_input
from therapy_portal.appointments import notes_link, queries
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.models import utcnow
from therapy_portal.notes import services as notes
from therapy_portal.policy import appointments as scope


def _loaded(therapist, appointment):
    return scope.appointment_for_therapist_or_404(therapist, appointment.id)


def test_a_note_started_from_a_session_has_its_facts(people):
    therapist, couple = people["therapist"], people["couple"]
    # 14:00 UTC on 2 November 2026 is 09:00 in New York (EST).
    start = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    session = make_session(
        therapist,
        couple,
        starts_at=start,
        minutes=50,
        attendees="A",
        modality="online",
        link="https://video.example.org/x",
        status="attended",
    )
    session.service_code = "90846"
    note = notes_link.start_note(therapist, _loaded(therapist, session), "soap")
    assert (note.session_date.isoformat(), note.start_time, note.end_time) == (
        "2026-11-02",
        time(9, 0),
        time(9, 50),
    )
    assert (note.attendees, note.service_code, note.modality, note.format) == (
        "A",
        "90846",
        "video",
        "soap",
    )
    assert note.status == "draft" and session.note_id == note.id
    # Starting it again opens the same note.
    assert notes_link.start_note(therapist, _loaded(therapist, session), "dap").id == note.id


def test_no_note_before_the_session_or_for_a_cancelled_one(people):
    therapist, couple = people["therapist"], people["couple"]
    upcoming = make_session(therapist, couple)
    with pytest.raises(InvalidState, match="once the session has begun"):
        notes_link.start_note(therapist, _loaded(therapist, upcoming), "dap")
    cancelled = make_session(
        therapist, couple, starts_at=utcnow() - timedelta(days=1), status="cancelled"
    )
    with pytest.raises(InvalidState, match="cancelled"):
        notes_link.start_note(therapist, _loaded(therapist, cancelled), "dap")


def test_sessions_without_a_signed_note(people):
    therapist, couple = people["therapist"], people["couple"]
    now = utcnow()
    old = make_session(therapist, couple, starts_at=now - timedelta(days=5))
    recent = make_session(therapist, couple, starts_at=now - timedelta(hours=3), status="attended")
    make_session(therapist, couple, starts_at=now - timedelta(days=2), status="no_show")
    make_session(therapist, couple, starts_at=now - timedelta(days=3), status="cancelled")
    make_session(therapist, couple, starts_at=now - timedelta(minutes=20))  # not over yet
    make_session(people["co"], couple, starts_at=now - timedelta(days=1))  # the co's own
    # At 10:00 local time: a session that ran past local midnight would start a note without
    # times (and a note is signed only with them).
    zone = queries.zone_of(therapist)
    ten_am = datetime.combine(now.astimezone(zone).date() - timedelta(days=6), time(10), zone)
    signed_from_session = make_session(therapist, couple, starts_at=ten_am.astimezone(UTC))
    note = notes_link.start_note(therapist, _loaded(therapist, signed_from_session), "dap")
    notes.save_draft(therapist, note, note_input(note), note.version)
    notes.sign_note(therapist, note)
    draft_only = make_session(therapist, couple, starts_at=now - timedelta(days=7))
    notes_link.start_note(therapist, _loaded(therapist, draft_only), "dap")
    # A note written from the notes page, signed and dated the session's day, covers it too.
    covered = make_session(therapist, couple, starts_at=now - timedelta(days=9))
    local_day = covered.starts_at.astimezone(queries.zone_of(therapist)).date()
    make_note(therapist, couple, signed=True, session_date=local_day)

    missing = queries.sessions_without_signed_note(therapist, now)
    assert [a.id for a in missing] == [draft_only.id, old.id, recent.id]
    assert [queries.note_overdue(a, now) for a in missing] == [True, True, False]
    assert queries.sessions_without_signed_note(people["outsider"], now) == []


def test_upcoming_for_therapist_and_next_for_partner(people):
    therapist, couple, a, b = people["therapist"], people["couple"], people["a"], people["b"]
    now = utcnow()
    make_session(therapist, couple, starts_at=now - timedelta(days=1))
    running = make_session(therapist, couple, starts_at=now - timedelta(minutes=10))
    a_only = make_session(therapist, couple, starts_at=now + timedelta(hours=5), attendees="A")
    joint = make_session(therapist, couple, starts_at=now + timedelta(days=2))
    make_session(therapist, couple, starts_at=now + timedelta(days=3), status="cancelled")
    make_session(therapist, couple, starts_at=now + timedelta(days=9))
    assert [x.id for x in queries.upcoming_for_therapist(therapist, 7, now)] == [
        running.id,
        a_only.id,
        joint.id,
    ]
    assert queries.upcoming_for_therapist(people["co"], 7, now) == []
    assert queries.next_for_partner(a, now).id == running.id
    running.status = "attended"
    assert queries.next_for_partner(a, now).id == a_only.id
    assert queries.next_for_partner(b, now).id == joint.id  # never A's own session


def test_a_partner_never_reaches_the_other_partner_s_own_session(people):
    therapist, couple, a, b = people["therapist"], people["couple"], people["a"], people["b"]
    a_only = make_session(therapist, couple, attendees="A", details="A's own")
    joint = make_session(therapist, couple, starts_at=utcnow() + timedelta(days=2))
    db.session.commit()
    assert scope.appointment_for_partner_or_404(a, a_only.id).id == a_only.id
    with pytest.raises(Exception, match="not found"):
        scope.appointment_for_partner_or_404(b, a_only.id)
    listed = queries.partner_sessions(b)
    assert [x.id for x in listed.upcoming] == [joint.id]
    assert [x.id for x in queries.partner_sessions(a).upcoming] == [a_only.id, joint.id]
    for outsider in (people["outsider"], therapist):
        with pytest.raises(Exception, match="not found"):
            scope.appointment_for_partner_or_404(outsider, joint.id)


def test_a_deleted_draft_can_be_started_again(people):
    therapist, couple = people["therapist"], people["couple"]
    session = make_session(therapist, couple, starts_at=utcnow() - timedelta(hours=3))
    first = notes_link.start_note(therapist, _loaded(therapist, session), "dap")
    db.session.commit()
    notes.delete_draft(therapist, first)
    db.session.commit()
    db.session.expire_all()
    reloaded = _loaded(therapist, session)
    assert reloaded.note_id is None and queries.note_states([reloaded]) == {}
    again = notes_link.start_note(therapist, reloaded, "girp")
    assert again.format == "girp" and reloaded.note_id == again.id  # a new draft
    assert [a.id for a in queries.sessions_without_signed_note(therapist)] == [session.id]
