"""A weekly session keeps its local time across the US daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tests.appointments.factories import session_input
from therapy_portal.appointments import recurrence, services
from therapy_portal.appointments.rules import Repeat
from therapy_portal.extensions import db
from therapy_portal.models.appointments import AppointmentSeries

NEW_YORK = ZoneInfo("America/New_York")
# 2026: clocks go forward on Sunday 8 March and back on Sunday 1 November.
BEFORE_SPRING = datetime(2026, 2, 1, tzinfo=UTC)


def test_weekly_series_keeps_17_00_local_across_the_spring_change():
    starts = recurrence.series_starts(
        date(2026, 3, 2), time(17, 0), NEW_YORK, 1, ends_on=None, count=3
    )
    assert [s.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M %Z") for s in starts] == [
        "2026-03-02 17:00 EST",
        "2026-03-09 17:00 EDT",
        "2026-03-16 17:00 EDT",
    ]
    # The same wall-clock time is an hour earlier in UTC after the change.
    assert [s.hour for s in starts] == [22, 21, 21]


def test_weekly_series_keeps_local_time_across_the_autumn_change():
    starts = recurrence.series_starts(
        date(2026, 10, 26), time(9, 30), NEW_YORK, 1, ends_on=date(2026, 11, 9), count=None
    )
    local = [s.astimezone(NEW_YORK) for s in starts]
    assert [(d.date().isoformat(), d.strftime("%H:%M"), d.tzname()) for d in local] == [
        ("2026-10-26", "09:30", "EDT"),
        ("2026-11-02", "09:30", "EST"),
        ("2026-11-09", "09:30", "EST"),
    ]
    assert [s.hour for s in starts] == [13, 14, 14]


def test_every_other_week_on_the_change_day_itself():
    starts = recurrence.series_starts(
        date(2026, 2, 22), time(10, 0), NEW_YORK, 2, ends_on=None, count=3
    )
    assert [s.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for s in starts] == [
        "02-22 10:00",
        "03-08 10:00",  # the day the clocks change
        "03-22 10:00",
    ]


def test_a_time_inside_the_spring_gap_lands_after_it():
    start = recurrence.to_utc(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert start.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"


def test_series_lengths_by_count_and_by_last_date():
    assert len(recurrence.local_dates(date(2026, 1, 5), 1, ends_on=None, count=8)) == 8
    assert (
        len(recurrence.local_dates(date(2026, 1, 5), 2, ends_on=date(2026, 3, 2), count=None)) == 5
    )
    # Never more than one past the most a series may have.
    long = recurrence.local_dates(date(2026, 1, 5), 1, ends_on=date(2030, 1, 1), count=None)
    assert len(long) == recurrence.MAX_SESSIONS + 1


def test_the_service_stores_a_dst_crossing_series_in_utc(people):
    therapist, couple = people["therapist"], people["couple"]
    data = session_input(
        starts_on=date(2026, 3, 2),
        start_time=time(17, 0),
        repeat=Repeat.WEEKLY,
        occurrences=4,
        modality="online",
        meeting_link="https://video.example.org/room",
    )
    made = services.schedule(therapist, couple, data, now=BEFORE_SPRING)
    assert len(made) == 4
    assert {a.series_id for a in made} == {made[0].series_id} and made[0].series_id
    assert [a.starts_at.astimezone(NEW_YORK).strftime("%H:%M") for a in made] == ["17:00"] * 4
    assert [a.starts_at.hour for a in made] == [22, 21, 21, 21]
    series = db.session.get(AppointmentSeries, made[0].series_id)
    assert (series.local_start, series.zone, series.occurrences) == (
        time(17, 0),
        "America/New_York",
        4,
    )
