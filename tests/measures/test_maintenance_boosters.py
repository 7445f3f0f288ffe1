"""After the last session: the maintenance plan's booster exercises, the cancelled sessions and
the partners' no-PHI notice when a couple is closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import clock
from tests.appointments.factories import make_session
from tests.factories import login
from tests.homework.factories import (
    answers,
    assign,
    first_occurrence,
    make_version,
    seat,
    submit,
)
from therapy_portal.caseload import services as caseload
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.homework import services as homework
from therapy_portal.homework.services import boosters
from therapy_portal.models import AuditEvent, Couple, utcnow
from therapy_portal.models.appointments import Appointment
from therapy_portal.models.audit import OutboxEmail
from therapy_portal.models.homework import Assignment


def _boosters() -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment).where(Assignment.booster).order_by(Assignment.first_due_on)
        )
    )


def test_closing_with_the_plan_schedules_the_latest_homework_as_boosters(setup):
    version = make_version(setup.therapist, title="Daily appreciation log")
    past = assign(setup.therapist, setup.couple, version, mode="joint")
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    made = _boosters()
    today = clock.today()
    assert [b.first_due_on for b in made] == [today + timedelta(weeks=w) for w in (8, 16, 24)]
    assert all(b.version_id == version.id and b.mode == "joint" for b in made)
    assert all(b.visibility == past.visibility and b.cadence == "once" for b in made)
    assert not past.booster
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booster.schedule"))
    assert event.couple_id == setup.couple.id and event.detail["count"] == 3


def test_a_chosen_exercise_is_used_instead(setup):
    assign(setup.therapist, setup.couple, make_version(setup.therapist, title="Old"))
    chosen = make_version(setup.therapist, title="Chosen")
    caseload.close_couple(
        setup.therapist, setup.couple, maintenance=True, booster_version_id=chosen.id
    )
    assert {b.version_id for b in _boosters()} == {chosen.id}


def test_no_plan_or_no_homework_means_no_boosters(setup):
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    assert _boosters() == []  # nothing to repeat: the check-ins still start


def test_the_closed_couples_partner_answers_a_booster(setup):
    assign(setup.therapist, setup.couple, make_version(setup.therapist))
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    occurrence = first_occurrence(_boosters()[0])
    view = homework.open_for_partner(setup.a, seat(setup.a, occurrence))
    assert view.blocked is None
    submit(setup.a, occurrence, answers("booster"))
    assert occurrence.submitted_count == 1


def test_other_homework_of_a_closed_couple_stays_closed(setup):
    regular = assign(setup.therapist, setup.couple, make_version(setup.therapist))
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    view = homework.open_for_partner(setup.b, seat(setup.b, first_occurrence(regular)))
    assert "has ended" in view.blocked


def test_either_partner_stops_the_boosters_for_both(setup):
    assign(setup.therapist, setup.couple, make_version(setup.therapist))
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    first = first_occurrence(_boosters()[0])
    submit(setup.a, first, answers("kept"))  # an answered booster stays as it is
    assert len(boosters.running_boosters(setup.b)) == 2
    assert boosters.stop_boosters(setup.b) == 2
    made = _boosters()
    assert not made[0].is_cancelled
    assert all(b.is_cancelled and b.cancelled_by_id == setup.b.id for b in made[1:])
    assert boosters.running_boosters(setup.a) == []
    with pytest.raises(InvalidState, match="already stopped"):
        boosters.stop_boosters(setup.a)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booster.stop"))
    assert event.actor_id == setup.b.id and event.detail["count"] == 2
    # A stopped booster nobody started does not clutter the partner's Done list.
    assert [i.occurrence.id for i in homework.partner_home(setup.b).done] == []


def test_closing_cancels_future_sessions_only_and_emails_each_partner(setup):
    now = utcnow()
    past = make_session(setup.therapist, setup.couple, starts_at=now - timedelta(days=2))
    future = make_session(setup.therapist, setup.couple, starts_at=now + timedelta(days=3))
    caseload.close_couple(setup.therapist, setup.couple)
    assert db.session.get(Appointment, past.id).status == "scheduled"
    assert db.session.get(Appointment, future.id).status == "cancelled"
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "appointment.cancel", AuditEvent.couple_id == setup.couple.id
        )
    )
    assert event.detail["count"] == 1
    mails = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "couple_closed")))
    assert sorted(m.to_address for m in mails) == sorted([setup.a.email, setup.b.email])
    body = mails[0].body
    assert "Doe" not in body and "Roe" not in body and "/home" in body  # no PHI, a link


def test_over_http_the_closed_partner_home_names_the_boosters_and_stops_them(app, world, client):
    couple_id = world.couple_ids["c1"]
    with app.app_context():
        from therapy_portal.models import User

        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, couple_id)
        assign(therapist, couple, make_version(therapist, title="Daily appreciation log"))
        db.session.commit()
    login(client, world.emails["therapist"])
    question = client.post(f"/couples/{couple_id}/close", data={"maintenance": "yes"})
    text = question.get_data(as_text=True)
    assert "a booster exercise every 8 weeks for 6 months" in text
    assert "Upcoming sessions are cancelled" in text
    client.post(f"/couples/{couple_id}/close", data={"maintenance": "yes", "confirmed": "yes"})
    client.post("/logout")

    login(client, world.emails["partner_a"])
    home = client.get("/home").get_data(as_text=True)
    assert "Your booster exercises" in home and "no new homework" not in home
    assert client.post("/home/boosters/stop").status_code == 200  # the question first
    assert client.post("/home/boosters/stop", data={"confirmed": "yes"}).status_code == 302
    home = client.get("/home").get_data(as_text=True)
    assert "Your booster exercises" not in home and "no new homework" in home


def test_a_closed_couples_booster_still_gets_its_no_phi_reminder(setup):
    from therapy_portal.homework.reminders import queue_homework_reminders

    regular = assign(setup.therapist, setup.couple, make_version(setup.therapist), due_in=1)
    caseload.close_couple(setup.therapist, setup.couple, maintenance=True)
    assert queue_homework_reminders() == 0  # the regular homework of a closed couple: none
    first_occurrence(regular).due_on = clock.today() - timedelta(days=30)
    first_occurrence(_boosters()[0]).due_on = clock.today() + timedelta(days=1)
    db.session.flush()
    assert queue_homework_reminders() == 2  # the booster: each partner
