"""With CSRF on, an expired form re-renders with every answer kept, and nothing is stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import clock
from tests.factories import PASSWORD
from tests.measures.factories import make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import Couple
from therapy_portal.models.measures import MeasureResponse


@pytest.fixture
def app_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _is_checked(html: str, name: str, value: str) -> bool:
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    return False


def test_expired_csrf_token_keeps_the_partners_answers(app, client, world):
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        schedule_id = make_schedule(couple, starts_on=clock.today() - timedelta(days=1)).id
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"email": world.emails["partner_a"], "password": PASSWORD, "csrf_token": token},
    )
    assert client.get("/checkins").status_code == 200
    answers = {"item_1": "4", "item_2": "3", "item_3": "2", "item_4": "1"}
    response = client.post(
        f"/checkins/{schedule_id}", data={**answers, "csrf_token": "expired-or-forged"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This form had expired, so nothing was saved yet." in html
    assert all(_is_checked(html, name, value) for name, value in answers.items())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeasureResponse)) == 0
