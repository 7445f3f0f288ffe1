"""Reads run together (`prepared.run_together`) give what each gives alone.

On PostgreSQL they go through psycopg's pipeline, past SQLAlchemy's execution layer, so the
parameter and column conversions are the module's own: these tests compare every Today read's
result both ways on data that fills each list (dates, times with zones, enums, JSON figures).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select

from tests.conftest import TEST_DB
from tests.factories import make_couple, make_practice, make_user, partner
from tests.plans.factories import plan_input
from tests.today import scenario
from therapy_portal import prepared
from therapy_portal.extensions import db
from therapy_portal.messages import services as messages
from therapy_portal.models import Couple, Role, User, utcnow
from therapy_portal.plans import services as plans
from therapy_portal.policy import messages as rules
from therapy_portal.today import sections
from therapy_portal.today.section_types import Day


def _busy_therapist() -> User:
    therapist = make_user(make_practice(), Role.THERAPIST, name="Therapist T")
    for name in ("Couple One", "Couple Two"):
        couple = make_couple(therapist, name=name)
        scenario.busy_day(therapist, couple)
        a = partner(couple, "A")
        messages.send(a, rules.thread_for_partner_or_404(a, "private"), "Can we talk first?")
        plan = plans.start_plan(therapist, couple)
        plans.save_draft(therapist, plan, plan_input(review_on=utcnow().date() + timedelta(days=2)))
        plans.sign_plan(therapist, plan)
    db.session.commit()
    return therapist


def test_every_today_read_gives_the_same_together_as_alone(ctx):
    therapist = _busy_therapist()
    day = Day(therapist, utcnow())
    made = {key: make(day) for key, make in sections.READS.items()}
    together = prepared.run_together(list(made.values()))
    alone = [prepared.run(read) for read in made.values()]
    assert together == alone
    assert repr(together) == repr(alone)  # the same types too: a time's zone, an enum
    found = dict(zip(made, together, strict=True))
    # Each list has something in it, so the comparison covers each read's columns.
    assert len(found["alerts"]) == 2 and found["alerts"][0].reason
    assert len(found["outcomes"]) == 2 and found["outcomes"][0].figures
    assert found["queue"].waiting_total == 2 and found["queue"].overdue_total == 2
    assert found["checkins"][1] > 0 and found["drafts"][1] == 2
    assert sum(t.unread for t in found["messages"]) == 2
    assert found["plans"][1] == 2
    assert found["drafts"][0][0].session_date.year > 2000


def test_a_read_sees_changes_not_yet_flushed(ctx):
    therapist = _busy_therapist()
    couple = db.session.scalars(select(Couple).where(Couple.display_name == "Couple One")).one()
    couple.display_name = "Renamed before the read"  # pending, not flushed
    day = Day(therapist, utcnow())
    alerts, drafts = prepared.run_together(
        [sections.READS["alerts"](day), sections.READS["drafts"](day)]
    )
    assert "Renamed before the read" in {a.couple_name for a in alerts}
    assert "Renamed before the read" in {d.couple_name for d in drafts[0]}


@pytest.mark.skipif(TEST_DB != "postgres", reason="the pipeline is PostgreSQL's")
def test_a_statement_that_expands_a_list_is_refused_in_a_pipeline(ctx):
    user_ids = select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))
    read = prepared.Read(user_ids, {"ids": [1, 2]}, list)
    with pytest.raises(ValueError, match="list of values"):
        prepared.run_together([read, read])
