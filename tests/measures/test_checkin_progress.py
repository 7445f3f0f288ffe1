"""Each partner's check-in progress row (the two latest periods answered) stays equal to what
their responses say, whichever way the responses are stored."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.measures.conftest import MONDAY, NOW
from tests.measures.factories import make_response, make_schedule
from therapy_portal import demo
from therapy_portal.errors import Conflict
from therapy_portal.extensions import db
from therapy_portal.measures import checkins
from therapy_portal.models import PROGRESS_COUNTED, PROGRESS_RECOUNT, CheckinProgress


def _stored() -> set[tuple]:
    rows = db.session.execute(
        select(
            CheckinProgress.schedule_id,
            CheckinProgress.partner_id,
            CheckinProgress.last_period,
            CheckinProgress.previous_period,
        )
    )
    return {tuple(r) for r in rows}


def _counted() -> set[tuple]:
    return {tuple(r) for r in db.session.execute(sa.text(PROGRESS_COUNTED))}


def test_submitting_moves_the_partners_own_row_on(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY)
    checkins.submit_checkin(setup.a, schedule, [3, 3, 3, 3], now=NOW)
    assert _stored() == {(schedule.id, setup.a.id, 0, None)}
    checkins.submit_checkin(setup.a, schedule, [4, 4, 4, 4], now=NOW + timedelta(days=7))
    checkins.submit_checkin(setup.b, schedule, [4, 4, 4, 4], now=NOW + timedelta(days=7))
    assert _stored() == {(schedule.id, setup.a.id, 1, 0), (schedule.id, setup.b.id, 1, None)}
    # A period answered twice is refused and leaves the row as it was.
    with pytest.raises(Conflict):
        checkins.submit_checkin(setup.b, schedule, [5, 5, 5, 5], now=NOW + timedelta(days=8))
    assert _stored() == _counted() and len(_stored()) == 2


@pytest.mark.parametrize(
    "periods",
    [[0, 1, 2, 5], [5, 2, 1, 0], [3, 0, 4, 1], [7], [2, 9, 8]],
    ids=["in order", "newest first", "mixed", "one", "gap then older"],
)
def test_the_row_equals_a_recount_in_any_order_of_arrival(setup, periods):
    schedule = make_schedule(setup.couple, starts_on=MONDAY - timedelta(weeks=10))
    other = make_schedule(setup.couple, instrument="phq9", starts_on=MONDAY)
    for period in periods:
        make_response(schedule, setup.a, period)
    make_response(other, setup.a, 0)
    top = sorted(periods, reverse=True)
    assert (schedule.id, setup.a.id, top[0], top[1] if len(top) > 1 else None) in _stored()
    assert _stored() == _counted()


def test_recount_fills_the_table_a_bulk_load_left_empty(setup):
    schedule = make_schedule(setup.couple, starts_on=MONDAY - timedelta(weeks=4))
    for period in (0, 1, 3):
        make_response(schedule, setup.a, period)
    make_response(schedule, setup.b, 2)
    kept = _stored()
    db.session.execute(sa.delete(CheckinProgress))
    db.session.execute(sa.text(PROGRESS_RECOUNT))
    assert (
        _stored() == kept == {(schedule.id, setup.a.id, 3, 1), (schedule.id, setup.b.id, 2, None)}
    )


def test_demo_practice_progress_agrees_with_its_responses(ctx):
    demo.seed()
    assert len(_stored()) >= 4 and _stored() == _counted()


def test_the_migration_that_added_the_table_fills_it_with_the_same_recount():
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0027_checkin_progress.py"
    spec = importlib.util.spec_from_file_location("checkin_progress_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert " ".join(migration.RECOUNT.split()) == " ".join(PROGRESS_RECOUNT.split())
