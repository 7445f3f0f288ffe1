"""Query budgets: each list page runs the same number of statements at 2 and at 200 couples.

One practice: an admin, a therapist and their couples. Each couple has a practice-made exercise
(so the library grows with the caseload), an assignment with a submitted answer, a weekly
check-in with answers from both partners, a signed note and a few audit events. Every page is
requested at 2 couples and again after 198 more couples (and, for the first couple, 30 more
weeks of check-ins) are added; the statement counts must be equal. The per-area budget tests
(caseload, review queue, partner home, note lists, progress) vary their own lists; this file
covers the pages that had none and checks the lists against the size of the whole caseload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests import clock
from tests.factories import login, make_couple, make_practice, make_user, partner
from tests.homework.factories import answers, assign, first_occurrence, make_version, submit
from tests.measures.factories import make_response, make_schedule
from tests.notes.factories import make_note
from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role, User

ADMIN_PAGES = ["/admin/audit", "/admin/couples", "/admin/therapists"]
THERAPIST_PAGES = [
    "/homework/library",
    "/couples/{couple}/progress",
    "/couples/{couple}/access-log",
    "/couples/{couple}/private-notes",
    "/couples/{couple}/records",
    "/notes",
    "/couples/{couple}/notes",
    "/homework/couples/{couple}",
]
PARTNER_PAGES = ["/checkins", "/home"]
WEEKS = 3


@dataclass
class Practice:
    emails: dict[str, str]
    ids: dict[str, int]


def _add_couples(app, ids: dict[str, int], n: int) -> None:
    """``n`` couples for the therapist, each with the rows its lists show."""
    with app.app_context():
        therapist = db.session.get(User, ids["therapist"])
        start = clock.today() - timedelta(weeks=WEEKS)
        for _ in range(n):
            couple = make_couple(therapist)
            a, b = partner(couple, "A"), partner(couple, "B")
            occurrence = first_occurrence(assign(therapist, couple, make_version(therapist)))
            submit(a, occurrence, answers("a"))
            schedule = make_schedule(couple, starts_on=start)
            for week in range(WEEKS):
                make_response(schedule, a, week)
                make_response(schedule, b, week)
            make_note(therapist, couple, signed=True)
            for n_event in range(3):
                audit.record(
                    "test.seen",
                    actor=therapist,
                    object_type="couple",
                    object_id=n_event,
                    couple_id=couple.id,
                )
            ids.setdefault("couple", couple.id)
            ids.setdefault("schedule", schedule.id)
        db.session.commit()


def _more_checkins(app, ids: dict[str, int], weeks: int) -> None:
    """The first couple's partner A keeps checking in: their own history grows too."""
    from therapy_portal.models.measures import MeasureSchedule

    with app.app_context():
        schedule = db.session.get(MeasureSchedule, ids["schedule"])
        a = partner(db.session.get(Couple, ids["couple"]), "A")
        for week in range(WEEKS, WEEKS + weeks):
            make_response(schedule, a, week)
        db.session.commit()


@pytest.fixture
def practice(app) -> Practice:
    with app.app_context():
        place = make_practice()
        admin = make_user(place, Role.ADMIN, name="Admin A")
        therapist = make_user(place, Role.THERAPIST, name="Therapist T")
        db.session.commit()
        ids = {"admin": admin.id, "therapist": therapist.id}
        emails = {"admin": admin.email, "therapist": therapist.email}
    _add_couples(app, ids, 2)
    with app.app_context():
        emails["partner"] = partner(db.session.get(Couple, ids["couple"]), "A").email
    return Practice(emails, ids)


def _clients(app, practice: Practice) -> dict[str, object]:
    clients = {}
    for role in ("admin", "therapist", "partner"):
        clients[role] = app.test_client()
        assert login(clients[role], practice.emails[role]).status_code == 302, role
    return clients


def _counts(clients, practice: Practice, count_queries) -> dict[str, int]:
    counts = {}
    for role, pages in (
        ("admin", ADMIN_PAGES),
        ("therapist", THERAPIST_PAGES),
        ("partner", PARTNER_PAGES),
    ):
        for template in pages:
            path = template.format(**practice.ids)
            assert clients[role].get(path).status_code == 200, path  # warm caches
            with count_queries() as counted:
                assert clients[role].get(path).status_code == 200, path
            counts[path] = counted.count
    return counts


def test_list_pages_cost_the_same_at_2_and_200_couples(app, practice, count_queries):
    clients = _clients(app, practice)
    small = _counts(clients, practice, count_queries)
    _add_couples(app, practice.ids, 198)
    _more_checkins(app, practice.ids, 30)
    large = _counts(clients, practice, count_queries)
    grew = {path: (small[path], large[path]) for path in small if small[path] != large[path]}
    assert not grew, grew
