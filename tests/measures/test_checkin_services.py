"""Check-in services without HTTP: scheduling, periods, answering once, clear refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.measures.conftest import MONDAY, NOW
from tests.measures.factories import make_response, make_schedule
from therapy_portal.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.measures import checkins, services
from therapy_portal.models import AuditEvent, CoupleStatus
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_therapist_schedules_weekly_csi4_and_it_is_audited(setup):
    schedule = services.schedule_checkin(setup.therapist, setup.couple, "csi4", 1, MONDAY)
    assert (schedule.instrument, schedule.interval_weeks, schedule.starts_on) == ("csi4", 1, MONDAY)
    assert schedule.practice_id == setup.couple.practice_id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.schedule"))
    assert event.object_id == schedule.id and event.detail == {"instrument": "csi4"}


def test_ras_is_refused_as_a_form_with_the_licence_reason(setup):
    with pytest.raises(ValidationFailed, match="wording has no open licence") as info:
        services.schedule_checkin(setup.therapist, setup.couple, "ras", 1, MONDAY)
    assert info.value.field == "instrument"
    assert [i.key for i in services.offered_instruments()] == ["csi4", "csi16", "phq9", "gad7"]


@pytest.mark.parametrize(
    ("instrument", "weeks", "field"),
    [
        ("ors", 1, "instrument"),
        ("", 1, "instrument"),
        ("csi4", 0, "interval_weeks"),
        ("csi4", 9, "interval_weeks"),
    ],
)
def test_bad_schedule_input_is_a_field_error(setup, instrument, weeks, field):
    with pytest.raises(ValidationFailed) as info:
        services.schedule_checkin(setup.therapist, setup.couple, instrument, weeks, MONDAY)
    assert info.value.field == field
    assert _count(MeasureSchedule) == 0


def test_closed_couple_cannot_get_a_new_schedule(setup):
    setup.couple.status = CoupleStatus.CLOSED
    with pytest.raises(InvalidState, match="closed"):
        services.schedule_checkin(setup.therapist, setup.couple, "csi4", 1, MONDAY)


def test_a_second_running_schedule_of_the_same_instrument_is_a_conflict(setup):
    first = services.schedule_checkin(setup.therapist, setup.couple, "csi4", 1, MONDAY)
    with pytest.raises(Conflict, match="Stop it first"):
        services.schedule_checkin(setup.therapist, setup.couple, "csi4", 2, MONDAY)
    services.schedule_checkin(setup.therapist, setup.couple, "phq9", 2, MONDAY)
    services.stop_schedule(setup.therapist, first)
    services.schedule_checkin(setup.therapist, setup.couple, "csi4", 2, MONDAY)
    with pytest.raises(InvalidState, match="already stopped"):
        services.stop_schedule(setup.therapist, first)


def test_a_partner_cannot_schedule(setup):
    with pytest.raises(NotAllowed):
        services.schedule_checkin(setup.a, setup.couple, "csi4", 1, MONDAY)


@pytest.mark.parametrize(
    ("weeks", "day", "index"),
    [
        (1, -1, None),
        (1, 0, 0),
        (1, 6, 0),
        (1, 7, 1),
        (1, 13, 1),
        (1, 14, 2),
        (2, 13, 0),
        (2, 14, 1),
        (3, 20, 0),
        (3, 21, 1),
    ],
)
def test_period_index_by_cadence(setup, weeks, day, index):
    schedule = make_schedule(setup.couple, interval_weeks=weeks, starts_on=MONDAY)
    assert schedule.period_index(MONDAY + timedelta(days=day)) == index
    if index is not None:
        assert schedule.period_start(index) <= MONDAY + timedelta(days=day)
        assert schedule.period_end(index) >= MONDAY + timedelta(days=day)


def test_today_is_the_practice_date_not_utc(setup):
    schedule = make_schedule(setup.couple, starts_on=date(2026, 3, 9))
    # 02:00 UTC on Monday 9 March is still Sunday evening in New York: not open yet.
    late_sunday = NOW.replace(day=9, hour=2)
    assert checkins.checkin_state(setup.a, schedule, late_sunday).period_index is None
    assert checkins.checkin_state(setup.a, schedule, late_sunday.replace(hour=5)).period_index == 0


def test_partner_answers_once_per_period_and_the_score_is_stored(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    response = checkins.submit_checkin(setup.a, schedule, {1: 3, 2: 4, 3: 3, 4: 2}, now=NOW)
    assert (response.total, response.band, response.distressed) == (12, "distressed", True)
    assert response.answers == {"1": 3, "2": 4, "3": 3, "4": 2}
    assert (response.period_index, response.partner_id, response.flags) == (0, setup.a.id, [])
    assert response.practice_id == setup.couple.practice_id and response.taken_at == NOW
    with pytest.raises(Conflict, match="already answered this check-in for this period"):
        checkins.submit_checkin(setup.a, schedule, {1: 6, 2: 5, 3: 5, 4: 5}, now=NOW)
    # The other partner's period is their own; next week opens a new period for A.
    checkins.submit_checkin(setup.b, schedule, {1: 6, 2: 5, 3: 5, 4: 5}, now=NOW)
    later = checkins.submit_checkin(setup.a, schedule, [4, 4, 4, 4], now=NOW + timedelta(days=7))
    assert later.period_index == 1 and later.total == 16 and later.distressed is False
    assert _count(MeasureResponse) == 3


LISTED = "Please choose one of the listed answers for question {}."


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({1: 3, 2: 4, 4: 2}, "item_3", "Please choose an answer for question 3."),
        ({1: 3, 2: 9, 3: 1, 4: 2}, "item_2", LISTED.format(2)),
        ({1: 7, 2: 1, 3: 1, 4: 2}, "item_1", LISTED.format(1)),
        ({1: 3, 2: "x", 3: 1, 4: 2}, "item_2", LISTED.format(2)),
        ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, None, "Please answer every question"),
    ],
)
def test_bad_answers_name_the_question_and_store_nothing(setup, answers, field, message):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    with pytest.raises(ValidationFailed, match=message) as info:
        checkins.submit_checkin(setup.a, schedule, answers, now=NOW)
    assert info.value.field == field
    assert _count(MeasureResponse) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("closed", "work with your therapist has ended"),
        ("stopped", "stopped this check-in"),
        ("future", "opens on Mon 9 Mar"),
        ("unknown", "can't show here"),
    ],
)
def test_check_in_that_is_not_open_is_refused_clearly(setup, change, message):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    if change == "closed":
        setup.couple.status = CoupleStatus.CLOSED
    elif change == "stopped":
        services.stop_schedule(setup.therapist, schedule)
    elif change == "future":
        schedule.starts_on = date(2026, 3, 9)
    else:
        schedule.instrument = "ras"
    with pytest.raises(InvalidState, match=message):
        checkins.submit_checkin(setup.a, schedule, [3, 3, 3, 3], now=NOW)
    assert _count(MeasureResponse) == 0


def test_unique_constraint_holds_one_response_per_partner_and_period(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    make_response(schedule, setup.a, 0)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        make_response(schedule, setup.a, 0)


def test_a_race_past_the_check_becomes_a_conflict_not_an_error(setup, monkeypatch):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    make_response(schedule, setup.a, 0, total=14)
    real = checkins.checkin_state

    def stale(actor, schedule, now=None):  # what a second tab saw before the first committed
        state = real(actor, schedule, now)
        return checkins.CheckinState(
            state.schedule, state.instrument, state.period_index, None, None
        )

    monkeypatch.setattr(checkins, "checkin_state", stale)
    with pytest.raises(Conflict, match="first answers are kept"):
        checkins.submit_checkin(setup.a, schedule, [3, 3, 3, 3], now=NOW)
    assert db.session.scalar(select(MeasureResponse.total)) == 14


def test_due_list_depends_only_on_the_partners_own_answers(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    make_schedule(setup.couple, instrument="phq9", interval_weeks=2, starts_on=MONDAY, stopped=True)
    assert [d.schedule.id for d in checkins.due_checkins(setup.a, NOW)] == [schedule.id]
    checkins.submit_checkin(setup.b, schedule, [3, 3, 3, 3], now=NOW)
    due = checkins.due_checkins(setup.a, NOW)
    assert [(d.period_index, d.opens_on, d.closes_on) for d in due] == [
        (0, MONDAY, date(2026, 3, 8))
    ]
    assert checkins.due_checkins(setup.b, NOW) == []
    assert checkins.due_checkins(setup.therapist, NOW) == []
    setup.couple.status = CoupleStatus.CLOSED
    assert checkins.due_checkins(setup.a, NOW) == []


def test_history_holds_only_the_partners_own_answers_and_is_audited(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY - timedelta(weeks=3))
    for index in range(3):
        make_response(schedule, setup.a, index, total=10 + index)
        make_response(schedule, setup.b, index, total=18)
    page = checkins.partner_history(setup.a)
    assert [r.total for r in page.responses] == [12, 11, 10]
    assert {r.partner_id for r in page.responses} == {setup.a.id}
    assert page.page.total == 3 and not page.page.has_more
    assert db.session.scalar(
        select(AuditEvent.action).where(
            AuditEvent.action == "checkin.history_view", AuditEvent.actor_id == setup.a.id
        )
    )
    with pytest.raises(NotAllowed):
        checkins.partner_history(setup.therapist)
