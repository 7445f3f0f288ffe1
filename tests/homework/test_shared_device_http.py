"""On a shared computer: each answer page names who is answering, next to the button that
sends it, and is never kept by the browser (no-store); signing out clears the site's storage."""

from __future__ import annotations

from datetime import timedelta

from tests import clock
from tests.homework.helpers import new_occurrence
from tests.measures.factories import make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User


def test_homework_answer_page_names_the_partner_and_is_not_stored(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    with app.app_context():
        name = db.session.get(User, site.ids["a"]).name
    response = as_user(site.a).get(f"/homework/{occurrence_id}")
    html = response.get_data(as_text=True)
    assert f"<strong>You are answering as {name}</strong>. Not {name}? Sign out" in html
    assert html.index("You are answering as") < html.index('value="submit"')
    assert 'autocomplete="off"' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_check_in_page_names_the_partner_too(app, site, as_user):
    with app.app_context():
        couple = db.session.get(Couple, site.couple_id)
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(days=1))
        name = db.session.get(User, site.ids["b"]).name
        db.session.commit()
        schedule_id = schedule.id
    response = as_user(site.b).get(f"/checkins/{schedule_id}")
    html = response.get_data(as_text=True)
    assert f"You are answering as {name}" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_out_clears_the_browsers_copy(site, as_user):
    client = as_user(site.a)
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
