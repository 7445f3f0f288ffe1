"""Safety alerts (PHQ-9 item 9) and check-in reminders, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.measures.conftest import MONDAY, NOW
from tests.measures.factories import make_response, make_schedule
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.measures import checkins, safety, services
from therapy_portal.measures.checkin_reminders import queue_checkin_reminders
from therapy_portal.models import AuditEvent, CoupleStatus, CoupleTherapist, OutboxEmail
from therapy_portal.models.measures import SafetyAlert

PHQ9_ITEM9 = [1, 1, 0, 0, 0, 0, 0, 0, 1]
PHQ9_CLEAR = [3, 3, 3, 3, 3, 3, 3, 3, 0]


def _emails(kind: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)
        )
    )


def test_item9_above_zero_alerts_every_therapist_of_the_couple_without_phi(setup):
    db.session.add(
        CoupleTherapist(
            practice_id=setup.couple.practice_id,
            couple_id=setup.couple.id,
            therapist_id=setup.other_therapist.id,
            role="co",
        )
    )
    schedule = make_schedule(setup.couple, instrument="phq9", interval_weeks=2, starts_on=MONDAY)
    response = checkins.submit_checkin(setup.a, schedule, PHQ9_ITEM9, now=NOW)
    assert response.flags == ["phq9_item9"] and response.total == 3
    alert = db.session.scalar(select(SafetyAlert))
    assert (alert.response_id, alert.partner_id, alert.kind) == (
        response.id,
        setup.a.id,
        "phq9_item9",
    )
    emails = _emails("safety_alert")
    assert sorted(e.to_address for e in emails) == sorted(
        [setup.therapist.email, setup.other_therapist.email]
    )
    for email in emails:
        assert email.subject == "A client's check-in needs your attention"
        assert "A client's check-in needs your attention. Log in to review." in email.body
        assert email.body.startswith("Hello,\n\n")
        for phi in (setup.a.name, setup.b.name, setup.couple.display_name, "PHQ", "9", "3 of"):
            assert phi not in email.body.split("http")[0]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "safety_alert.raise"))
    assert event.object_id == alert.id and event.actor_id == setup.a.id


def test_item9_answered_zero_raises_no_alert_whatever_the_total(setup):
    schedule = make_schedule(setup.couple, instrument="phq9", starts_on=MONDAY)
    response = checkins.submit_checkin(setup.a, schedule, PHQ9_CLEAR, now=NOW)
    assert response.total == 24 and response.band == "severe" and response.flags == []
    assert db.session.scalar(select(SafetyAlert)) is None
    assert _emails("safety_alert") == []


def test_open_alerts_list_only_the_therapists_own_couples_until_acknowledged(setup):
    schedule = make_schedule(setup.couple, instrument="phq9", starts_on=MONDAY)
    checkins.submit_checkin(setup.b, schedule, PHQ9_ITEM9, now=NOW)
    rows = safety.open_safety_alerts(setup.therapist)
    assert [(r.couple_name, r.partner_label, r.partner_name) for r in rows] == [
        ("Doe & Roe", "B", setup.b.name)
    ]
    assert "PHQ-9 question 9" in rows[0].reason
    assert safety.open_safety_alerts(setup.other_therapist) == []
    assert safety.open_safety_alerts(setup.a) == []
    alert = db.session.get(SafetyAlert, rows[0].id)
    safety.acknowledge_alert(setup.therapist, alert)
    assert alert.acknowledged_by_id == setup.therapist.id
    assert safety.open_safety_alerts(setup.therapist) == []
    assert (
        db.session.scalar(
            select(AuditEvent.object_id).where(AuditEvent.action == "safety_alert.acknowledge")
        )
        == alert.id
    )
    with pytest.raises(InvalidState, match="already acknowledged"):
        safety.acknowledge_alert(setup.therapist, alert)


def test_reminders_go_once_per_partner_and_period_and_carry_no_phi(setup, app):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    checkins.submit_checkin(setup.b, schedule, [3, 3, 3, 3], now=NOW)
    assert queue_checkin_reminders(NOW) == 1  # B already answered this period
    assert queue_checkin_reminders(NOW) == 0  # idempotent
    (email,) = _emails("checkin_reminder")
    assert email.to_address == setup.a.email
    assert email.subject == "You have a check-in waiting"
    assert email.body.startswith("Hello,\n\nYou have something new in Therapy Portal")
    assert f"{app.config['PUBLIC_BASE_URL'].rstrip('/')}/checkins" in email.body
    for phi in (setup.a.name, setup.couple.display_name, "CSI", "Satisfaction"):
        assert phi not in email.subject + email.body
    # Next week is a new period: both partners are reminded again, once.
    assert queue_checkin_reminders(NOW + timedelta(days=7)) == 2
    assert queue_checkin_reminders(NOW + timedelta(days=8)) == 0


def test_no_reminders_before_start_when_stopped_closed_or_not_joined(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY + timedelta(days=7))
    assert queue_checkin_reminders(NOW) == 0
    schedule.starts_on = MONDAY
    setup.a.password_hash = None  # invited, not joined yet
    assert queue_checkin_reminders(NOW) == 1
    setup.couple.status = CoupleStatus.CLOSED
    assert queue_checkin_reminders(NOW + timedelta(days=7)) == 0
    setup.couple.status = CoupleStatus.ACTIVE
    services.stop_schedule(setup.therapist, schedule)
    assert queue_checkin_reminders(NOW + timedelta(days=7)) == 0


def test_alerts_are_never_listed_for_partners(setup):
    schedule = make_schedule(setup.couple, instrument="phq9", starts_on=MONDAY)
    response = make_response(schedule, setup.a, 0, answers=PHQ9_ITEM9)
    safety.raise_safety_alert(setup.a, response, response.flags)
    assert safety.open_safety_alerts(setup.a) == []
    assert safety.open_safety_alerts(setup.b) == []
    assert len(safety.open_safety_alerts(setup.therapist)) == 1
