"""Query budgets: the week view, a couple's sessions and a partner's sessions run the same
number of statements for a caseload of 2 couples and of 200 (each with sessions this week)."""

from __future__ import annotations

from datetime import timedelta

from tests.appointments.factories import make_session
from tests.factories import PASSWORD, login, make_couple, make_practice, make_user, partner
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role, User, utcnow


def _caseload(app, therapist_id: int, couples: int) -> list[int]:
    """Add couples, each with a past, a current-week and a future session (one A-only)."""
    with app.app_context():
        therapist = db.session.get(User, therapist_id)
        ids = []
        for n in range(couples):
            couple = make_couple(therapist, name=f"Budget Couple {n:03d}")
            now = utcnow()
            make_session(therapist, couple, starts_at=now - timedelta(days=8, minutes=n))
            make_session(therapist, couple, starts_at=now + timedelta(minutes=n), attendees="A")
            make_session(therapist, couple, starts_at=now + timedelta(days=9, minutes=n))
            ids.append(couple.id)
        db.session.commit()
        return ids


def _setup(app):
    with app.app_context():
        therapist = make_user(make_practice(), Role.THERAPIST)
        db.session.commit()
        return therapist.id, therapist.email


def _count(client, count_queries, url: str) -> int:
    client.get(url)
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.count


def test_week_view_and_lists_cost_the_same_for_2_and_200_couples(app, count_queries):
    therapist_id, email = _setup(app)
    first = _caseload(app, therapist_id, 2)
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 302
    with app.app_context():
        a_email = partner(db.session.get(Couple, first[0]), "A").email
    partner_client = app.test_client()
    assert login(partner_client, a_email, PASSWORD).status_code == 302
    urls = ["/schedule", f"/couples/{first[0]}/sessions"]
    small = {url: _count(client, count_queries, url) for url in urls}
    small_partner = _count(partner_client, count_queries, "/my-sessions")
    _caseload(app, therapist_id, 198)
    large = {url: _count(client, count_queries, url) for url in urls}
    assert large == small, (small, large)
    assert _count(partner_client, count_queries, "/my-sessions") == small_partner
    assert large["/schedule"] <= 12 and large[urls[1]] <= 12 and small_partner <= 12
    week = client.get("/schedule").get_data(as_text=True)
    assert week.count("Budget Couple") >= 200  # the week's sessions and the couple chooser
