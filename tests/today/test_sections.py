"""Today's providers and reads, without HTTP."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import make_couple, make_practice, make_user, partner
from tests.today import scenario
from therapy_portal.measures import checkins
from therapy_portal.measures import services as measures
from therapy_portal.models import Role, utcnow
from therapy_portal.today import reads, sections


def _therapist():
    return make_user(make_practice(), Role.THERAPIST, name="Therapist T")


def test_sections_come_in_the_order_of_urgency(ctx):
    therapist = _therapist()
    built = sections.build(therapist, utcnow())
    assert [s.key for s in built] == [
        "alerts",
        "outcomes",
        "review",
        "overdue",
        "checkins",
        "notes",
        "cosign",
        "no-note",
        "sessions",
        "messages",
        "plans",
    ]
    assert all(s.count == 0 and s.items == [] and s.empty for s in built)


def test_check_in_gaps_list_missed_periods_before_open_ones(ctx):
    therapist = _therapist()
    couple = make_couple(therapist, name="Couple G")
    schedule = scenario.running_checkin(therapist, couple, days_ago=8)
    checkins.submit_checkin(partner(couple, "A"), schedule, {"1": 3, "2": 3, "3": 3, "4": 3})
    gaps, total = reads.checkin_gaps(therapist, utcnow(), 10)
    assert [(g.label, g.missed) for g in gaps] == [("A", True), ("B", True), ("B", False)]
    assert total == 3
    shown, total = reads.checkin_gaps(therapist, utcnow(), 2)
    assert (shown, total) == (gaps[:2], 3)


def test_stopped_check_ins_and_closed_couples_are_not_listed(ctx):
    therapist = _therapist()
    stopped = scenario.running_checkin(therapist, make_couple(therapist))
    measures.stop_schedule(therapist, stopped)
    closed = make_couple(therapist)
    scenario.running_checkin(therapist, closed)
    closed.status = "closed"
    assert reads.checkin_gaps(therapist, utcnow(), 10) == ([], 0)


def test_drafts_are_the_authors_own_oldest_session_first_flagged_after_72_hours(ctx):
    therapist = _therapist()
    co = make_user(therapist.practice, Role.THERAPIST)
    couple = make_couple(therapist, co_therapist=co)
    scenario.draft_note(therapist, couple, days_ago=1)
    scenario.draft_note(therapist, couple, days_ago=6)
    scenario.draft_note(co, couple, days_ago=2)  # the co-therapist's: theirs to sign
    drafts, total = reads.unsigned_drafts(therapist, utcnow(), limit=10)
    assert total == 2
    assert [d.overdue for d in drafts] == [True, False]
    assert drafts[0].session_date < drafts[1].session_date
    later = utcnow() + timedelta(days=3)
    assert all(d.overdue for d in reads.unsigned_drafts(therapist, later, limit=10)[0])
