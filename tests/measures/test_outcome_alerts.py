"""Outcome alerts as rows: raised at a check-in, kept per episode, dismissed with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.measures.conftest import MONDAY, NOW
from tests.measures.factories import answers_for_total, make_response, make_schedule
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.measures import checkins
from therapy_portal.measures.outcome_alerts import (
    dismiss_outcome_alert,
    evaluate_after_checkin,
    open_outcome_alerts,
)
from therapy_portal.models import AuditEvent
from therapy_portal.models.appointments import Appointment, AppointmentStatus
from therapy_portal.models.measures import OutcomeAlert, OutcomeKind


def _weekly(setup, weeks_back: int = 3):
    return make_schedule(setup.couple, starts_on=MONDAY - timedelta(weeks=weeks_back))


def _alerts(kind=None):
    query = select(OutcomeAlert).order_by(OutcomeAlert.id)
    if kind:
        query = query.where(OutcomeAlert.kind == kind)
    return list(db.session.scalars(query))


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_check_in_four_points_worse_on_csi4_raises_reliable_worsening(setup):
    # CSI-4 default norms: more than 3.06 points is reliable; 15 -> 11 is 4 points worse.
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=15)
    answers = dict(enumerate(answers_for_total("csi4", 11), start=1))
    checkins.submit_checkin(setup.a, schedule, answers, now=NOW)
    (alert,) = _alerts()
    assert (alert.kind, alert.partner_id, alert.instrument) == ("worsening", setup.a.id, "csi4")
    assert alert.figures == {
        "baseline": 15,
        "latest": 11,
        "change": -4,
        "rci": -2.57,
        "needed": 3.06,
    }
    assert "outcome_alert.raise" in _actions()


def test_three_points_worse_on_csi4_is_not_reliable(setup):
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=15)
    answers = dict(enumerate(answers_for_total("csi4", 12), start=1))
    checkins.submit_checkin(setup.a, schedule, answers, now=NOW)
    assert _alerts() == []


def test_an_episode_is_updated_while_it_holds_and_resolved_when_it_stops(setup):
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=15)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 1, total=10))
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 2, total=9))
    (alert,) = _alerts()
    assert alert.figures["latest"] == 9 and alert.resolved_at is None
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 3, total=14))
    assert alert.resolved_at is not None
    assert _actions().count("outcome_alert.resolve") == 1


def test_a_dismissed_alert_stays_dismissed_until_a_new_episode(setup):
    schedule = _weekly(setup, weeks_back=5)
    make_response(schedule, setup.a, 0, total=15)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 1, total=10))
    (alert,) = _alerts()
    dismiss_outcome_alert(setup.therapist, alert, "  Discussed in session; expected dip.  ")
    assert alert.dismiss_reason == "Discussed in session; expected dip."
    assert alert.dismissed_by_id == setup.therapist.id
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 2, total=9))
    assert len(_alerts()) == 1 and open_outcome_alerts(setup.therapist) == []
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 3, total=15))  # cleared
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 4, total=8))  # again
    new = _alerts()[-1]
    assert len(_alerts()) == 2 and new.dismissed_at is None
    assert [r.id for r in open_outcome_alerts(setup.therapist)] == [new.id]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_dismissing_needs_a_reason(setup, reason):
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=15)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 1, total=10))
    (alert,) = _alerts()
    with pytest.raises(ValidationFailed, match="say why") as info:
        dismiss_outcome_alert(setup.therapist, alert, reason)
    assert info.value.field == "reason" and alert.dismissed_at is None


def test_dismissing_twice_is_refused_and_audited_once(setup):
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=15)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 1, total=10))
    (alert,) = _alerts()
    dismiss_outcome_alert(setup.therapist, alert, "Seen")
    with pytest.raises(InvalidState):
        dismiss_outcome_alert(setup.therapist, alert, "Seen again")
    assert _actions().count("outcome_alert.dismiss") == 1


def _attended(setup, count: int, first: datetime) -> None:
    for i in range(count):
        start = first + timedelta(days=i)
        db.session.add(
            Appointment(
                practice_id=setup.couple.practice_id,
                couple_id=setup.couple.id,
                therapist_id=setup.therapist.id,
                starts_at=start,
                ends_at=start + timedelta(minutes=50),
                duration_minutes=50,
                status=AppointmentStatus.ATTENDED,
                created_by_id=setup.therapist.id,
            )
        )
    db.session.flush()


@pytest.mark.parametrize(("sessions", "alerts"), [(7, False), (8, True), (9, True)])
def test_no_improvement_counts_attended_sessions_since_the_baseline(setup, sessions, alerts):
    schedule = _weekly(setup, weeks_back=2)
    baseline = make_response(schedule, setup.a, 0, total=10)
    _attended(setup, sessions, baseline.taken_at + timedelta(hours=1))
    # A session before the baseline does not count.
    _attended(setup, 1, baseline.taken_at - timedelta(days=3))
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 2, total=11))
    found = _alerts(OutcomeKind.NO_IMPROVEMENT)
    assert bool(found) is alerts
    if found:
        assert found[0].figures["sessions"] == sessions


def test_no_improvement_session_count_is_configurable(app, setup):
    app.config["OUTCOME_NO_IMPROVEMENT_SESSIONS"] = 2
    schedule = _weekly(setup, weeks_back=2)
    baseline = make_response(schedule, setup.a, 0, total=10)
    _attended(setup, 2, baseline.taken_at + timedelta(hours=1))
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 2, total=11))
    assert len(_alerts(OutcomeKind.NO_IMPROVEMENT)) == 1


def test_widening_gap_is_raised_on_the_second_partners_check_in(setup):
    # First paired gap |14 - 13| = 1; latest |15 - 10| = 5: grew by 4 > 3.06 (CSI-4).
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=14)
    make_response(schedule, setup.b, 0, total=13)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 1, total=15))
    assert _alerts(OutcomeKind.WIDENING_GAP) == []
    evaluate_after_checkin(setup.b, make_response(schedule, setup.b, 1, total=10))
    (gap,) = _alerts(OutcomeKind.WIDENING_GAP)
    assert gap.partner_id is None
    assert gap.figures == {"first_gap": 1, "latest_gap": 5, "growth": 4, "needed": 3.06}
    (row,) = [r for r in open_outcome_alerts(setup.therapist) if r.kind == "widening_gap"]
    assert row.who == "Both partners" and "grew by 4" in row.detail


def test_other_therapists_and_partners_never_read_outcome_alerts(setup):
    schedule = _weekly(setup)
    make_response(schedule, setup.a, 0, total=15)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 1, total=10))
    assert len(open_outcome_alerts(setup.therapist)) == 1
    assert open_outcome_alerts(setup.other_therapist) == []
    assert open_outcome_alerts(setup.a) == []


def test_taken_at_sets_the_session_window(setup):
    """`evaluate_after_checkin` counts sessions up to the check-in, not the wall clock."""
    schedule = _weekly(setup, weeks_back=2)
    baseline = make_response(schedule, setup.a, 0, total=10)
    later = datetime.combine(MONDAY + timedelta(days=30), time(9), tzinfo=UTC)
    _attended(setup, 8, later)
    evaluate_after_checkin(setup.a, make_response(schedule, setup.a, 2, total=10))
    assert _alerts(OutcomeKind.NO_IMPROVEMENT) == []
    assert baseline.taken_at < later
