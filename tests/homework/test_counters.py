"""The occurrence's counters (submitted count, waiting since) follow its responses, including
when both partners submit at the same moment (PostgreSQL, two connections, real threads)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_DB
from tests.homework.factories import answers, assign, loaded_response, make_version, submit
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence, Response, ResponseStatus

TRIALS = 20


def _occurrences(site, count: int) -> list[int]:
    therapist = db.session.get(User, site.ids["therapist"])
    couple = db.session.get(Couple, site.couple_id)
    version = make_version(therapist)
    assignment = assign(therapist, couple, version, cadence="daily", due_in=0, ends_in=count - 1)
    ids = list(
        db.session.scalars(
            select(Occurrence.id)
            .where(Occurrence.assignment_id == assignment.id)
            .order_by(Occurrence.sequence)
        )
    )
    db.session.commit()
    return ids


def _truth(occurrence_id: int):
    return db.session.execute(
        select(func.count(), func.min(Response.submitted_at)).where(
            Response.occurrence_id == occurrence_id, Response.status == ResponseStatus.SUBMITTED
        )
    ).one()


def test_counters_follow_submit_and_return(app, site):
    with app.app_context():
        [occurrence_id] = _occurrences(site, 1)
        a, b = db.session.get(User, site.ids["a"]), db.session.get(User, site.ids["b"])
        therapist = db.session.get(User, site.ids["therapist"])
        occurrence = db.session.get(Occurrence, occurrence_id)
        first = submit(a, occurrence, answers("a")).response
        submit(b, occurrence, answers("b"))
        assert occurrence.submitted_count == 2
        assert occurrence.waiting_since == first.submitted_at
        services.return_response(
            therapist, loaded_response(therapist, first), "Say a little more, please."
        )
        assert (occurrence.submitted_count, occurrence.waiting_since) == tuple(
            _truth(occurrence_id)
        )
        assert occurrence.submitted_count == 1 and occurrence.waiting_since != first.submitted_at


@pytest.mark.skipif(TEST_DB != "postgres", reason="needs two real connections (PostgreSQL)")
def test_both_partners_submitting_at_once_are_both_counted(app, site):
    with app.app_context():
        occurrence_ids = _occurrences(site, TRIALS)
    errors: list[BaseException] = []

    def submit_as(user_key: str, occurrence_id: int, barrier: threading.Barrier) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, site.ids[user_key])
                occurrence = db.session.get(Occurrence, occurrence_id)
                barrier.wait(timeout=10)
                submit(user, occurrence, answers(user_key))
                db.session.commit()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    for occurrence_id in occurrence_ids:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=submit_as, args=(k, occurrence_id, barrier)) for k in "ab"
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
    with app.app_context():
        for occurrence_id in occurrence_ids:
            occurrence = db.session.get(Occurrence, occurrence_id)
            count, oldest = _truth(occurrence_id)
            assert count == 2
            assert (occurrence.submitted_count, occurrence.waiting_since) == (2, oldest)
