"""The partner's home: "Due now" mixes homework and check-ins by due date; feedback; who their
therapist and practice are; the panels other areas add."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import login, partner
from tests.today import scenario
from therapy_portal.extensions import db
from therapy_portal.homework import services as homework
from therapy_portal.models import Couple, User
from therapy_portal.partner import home


def _setup(app, world):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        scenario.overdue_homework(therapist, couple, "Late letter")  # due 7 days ago
        soon = scenario.waiting_answer(therapist, couple, "Later walk")  # due in 3 days
        soon.due_on += timedelta(days=10)
        # A CSI-4 that started yesterday: open for partner A until 5 days from now.
        scenario.running_checkin(therapist, couple, days_ago=1)
        homework.add_feedback(therapist, soon, "Lovely detail about the walk.", "A")
        db.session.commit()


def test_due_now_mixes_homework_and_check_ins_by_due_date(app, world, client):
    _setup(app, world)
    login(client, world.emails["partner_b"])
    html = client.get("/home").get_data(as_text=True)
    due = html.index("Due now")
    late, checkin, later = (html.index(t) for t in ("Late letter", "CSI-4", "Later walk"))
    assert due < late < checkin < later < html.index('id="feedback-heading"')
    assert "Overdue" in html[late:checkin] and "Check-in · Open until" in html[checkin:later]
    assert "Therapist X, LMFT" in html and "Practice One" in html


def test_feedback_addressed_to_the_partner_is_listed_for_them_only(app, world, client):
    _setup(app, world)
    login(client, world.emails["partner_a"])
    html = client.get("/home").get_data(as_text=True)
    feedback = html[html.index('id="feedback-heading"') :]
    assert "Later walk" in feedback[: feedback.index('id="done-heading"')]
    client.post("/logout")
    login(client, world.emails["partner_b"])
    html = client.get("/home").get_data(as_text=True)
    assert "No feedback yet." in html


def test_an_empty_home_says_what_will_appear(world, client):
    login(client, world.emails["partner_a"])
    html = client.get("/home").get_data(as_text=True)
    assert "Nothing here yet." in html and "soonest due first" in html


@pytest.fixture
def next_session_panel():
    def panel(user):
        return home.Panel("next-session", "Your next session", [], "No session booked yet.")

    home.PANELS.append(panel)
    yield
    home.PANELS.remove(panel)


def test_panels_other_areas_add_are_shown(world, client, next_session_panel):
    login(client, world.emails["partner_a"])
    html = client.get("/home").get_data(as_text=True)
    assert "Your next session" in html and "No session booked yet." in html


def test_due_now_reads_only_the_partners_own_check_ins(app, world):
    _setup(app, world)
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        a = partner(couple, "A")
        (checkin,) = [i for i in home.due_now(a, homework.partner_home(a)) if i.kind == "Check-in"]
        assert checkin.endpoint == "measures.answer" and not checkin.overdue
