"""Check-ins over HTTP: scheduling, answering once, clear messages that keep every answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import clock
from tests.factories import login, next_page_url
from tests.measures.factories import make_response, make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, CoupleStatus, User
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule
from therapy_portal.ui import dates

YESTERDAY = clock.today() - timedelta(days=1)


def _schedule(app, world, **kwargs) -> int:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        schedule = make_schedule(couple, starts_on=kwargs.pop("starts_on", YESTERDAY), **kwargs)
        db.session.commit()
        return schedule.id


def _checked(html: str) -> dict[str, str]:
    """Radio name -> checked value, from the rendered form."""
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"radio\"[^>]*>", html):
        if " checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            found[name] = re.search(r'value="([^"]+)"', tag).group(1)
    return found


def _responses(app) -> list[tuple[int, int]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(select(MeasureResponse.partner_id, MeasureResponse.total))
        ]


# ------------------------------------------------------------------------------- therapist
def test_therapist_schedules_from_the_couple_page_and_sees_it_listed(app, client, world):
    login(client, world.emails["therapist"])
    couple_id = world.couple_ids["c1"]
    detail = client.get(f"/couples/{couple_id}").get_data(as_text=True)
    assert f'href="/couples/{couple_id}/progress"' in detail
    page = client.get(f"/couples/{couple_id}/checkins/new").get_data(as_text=True)
    for name in (
        "Couples Satisfaction Index (CSI-4): 4 questions",
        "Couples Satisfaction Index (CSI-16): 16 questions",
        "Patient Health Questionnaire (PHQ-9): 9 questions",
        "Generalized Anxiety Disorder scale (GAD-7): 7 questions",
    ):
        assert name in page
    assert "Why the Relationship Assessment Scale (RAS) isn't listed" in page
    assert 'value="ras"' not in page
    assert '<label for="interval_weeks">How often</label>' in page
    response = client.post(
        f"/couples/{couple_id}/checkins/new",
        data={"instrument": "csi4", "interval_weeks": "2", "starts_on": clock.today().isoformat()},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/couples/{couple_id}/progress")
    progress = client.get(f"/couples/{couple_id}/progress").get_data(as_text=True)
    assert "Every 2 weeks" in progress and "Running" in progress
    assert "No answers yet. The chart appears after the first check-in." in progress


@pytest.mark.parametrize(
    ("instrument", "message"),
    [
        ("ras", "its wording has no open licence"),
        ("csi32", "Choose one of the listed questionnaires."),
        ("", "Choose a questionnaire."),
    ],
)
def test_scheduling_a_wrong_instrument_says_why_and_keeps_the_other_fields(
    app, client, world, instrument, message
):
    login(client, world.emails["therapist"])
    start = (clock.today() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/couples/{world.couple_ids['c1']}/checkins/new",
        data={"instrument": instrument, "interval_weeks": "3", "starts_on": start},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message.replace("'", "&#39;") in html
    assert f'value="{start}"' in html
    assert re.search(r'<option selected value="3">|<option value="3" selected>', html)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeasureSchedule)) == 0


def test_stopping_a_check_in_keeps_its_answers(app, client, world):
    schedule_id = _schedule(app, world)
    login(client, world.emails["therapist"])
    question = client.post(f"/checkins/{schedule_id}/stop")
    assert question.status_code == 200
    assert "<h1>Stop this check-in?</h1>" in question.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MeasureSchedule, schedule_id).stopped_at is None
    response = client.post(f"/checkins/{schedule_id}/stop", data={"confirmed": "yes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(MeasureSchedule, schedule_id).stopped_at is not None
    page = client.get(f"/couples/{world.couple_ids['c1']}/progress").get_data(as_text=True)
    assert "Stopped" in page and "Stop this check-in" not in page


# --------------------------------------------------------------------------------- partner
def test_partner_finds_the_check_in_from_home_and_answers_it_once(app, client, world):
    schedule_id = _schedule(app, world)
    login(client, world.emails["partner_a"])
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/checkins"' in home
    listing = client.get("/checkins").get_data(as_text=True)
    assert "<h1>Check-ins</h1>" in listing
    assert f'href="/checkins/{schedule_id}"' in listing
    assert "You haven't answered a check-in yet." in listing
    form = client.get(f"/checkins/{schedule_id}").get_data(as_text=True)
    assert (
        "<legend>1. Please indicate the degree of happiness, all things considered, of your "
        "relationship.</legend>" in form
    )
    assert form.count('type="radio"') == 7 + 6 + 6 + 6
    for radio_id in re.findall(r'<input[^>]*id="([^"]+)"[^>]*type="radio"', form):
        assert f'<label for="{radio_id}">' in form  # every option is labelled
    assert "Couples Satisfaction Index by Janette L. Funk and Ronald D. Rogge (2007)." in form
    response = client.post(
        f"/checkins/{schedule_id}",
        data={"item_1": "3", "item_2": "4", "item_3": "3", "item_4": "2"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/checkins")
    listing = client.get("/checkins").get_data(as_text=True)
    assert "Thank you. Your check-in was sent to your therapist." in listing
    assert "12 of 21" in listing and "Nothing is due right now." in listing
    again = client.post(
        f"/checkins/{schedule_id}",
        data={"item_1": "6", "item_2": "5", "item_3": "5", "item_4": "5"},
    )
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "You already answered this check-in for this period" in html
    assert _checked(html) == {"item_1": "6", "item_2": "5", "item_3": "5", "item_4": "5"}
    assert _responses(app) == [(world.ids["partner_a"], 12)]


@pytest.mark.parametrize(
    ("data", "message", "kept"),
    [
        (
            {"item_1": "3", "item_2": "4", "item_4": "2"},
            "Please choose an answer for question 3.",
            {"item_1": "3", "item_2": "4", "item_4": "2"},
        ),
        (
            {"item_1": "3", "item_2": "9", "item_3": "1", "item_4": "2"},
            "Please choose one of the listed answers for question 2.",
            {"item_1": "3", "item_3": "1", "item_4": "2"},
        ),
        (
            {"item_1": "3", "item_2": "x", "item_3": "1", "item_4": "2"},
            "Please choose one of the listed answers for question 2.",
            {"item_1": "3", "item_3": "1", "item_4": "2"},
        ),
    ],
)
def test_a_missing_or_bad_answer_names_the_question_and_keeps_the_others(
    app, client, world, data, message, kept
):
    schedule_id = _schedule(app, world)
    login(client, world.emails["partner_b"])
    response = client.post(f"/checkins/{schedule_id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html
    assert _checked(html) == kept
    assert _responses(app) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("closed", "Your work with your therapist has ended, so check-ins are closed."),
        ("unknown", "uses a questionnaire Therapy Portal can&#39;t show here"),
        ("stopped", "Your therapist has stopped this check-in"),
    ],
)
def test_a_closed_couple_or_unusable_check_in_gets_a_clear_message_never_a_500(
    app, client, world, change, message
):
    schedule_id = _schedule(app, world)
    with app.app_context():
        schedule = db.session.get(MeasureSchedule, schedule_id)
        if change == "closed":
            db.session.get(Couple, schedule.couple_id).status = CoupleStatus.CLOSED
        elif change == "unknown":
            schedule.instrument = "ors"
        else:
            schedule.stopped_at = schedule.created_at
        db.session.commit()
    login(client, world.emails["partner_a"])
    page = client.get(f"/checkins/{schedule_id}")
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert 'type="radio"' not in page.get_data(as_text=True)
    data = {"item_1": "3", "item_2": "4", "item_3": "3", "item_4": "2"}
    response = client.post(f"/checkins/{schedule_id}", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert message in html
    if change != "unknown":
        assert _checked(html) == data  # nothing the partner chose is lost
    assert _responses(app) == []


def test_a_check_in_that_has_not_started_says_when_it_opens(app, client, world):
    start = clock.today() + timedelta(days=10)
    schedule_id = _schedule(app, world, starts_on=start)
    login(client, world.emails["partner_a"])
    page = client.get(f"/checkins/{schedule_id}").get_data(as_text=True)
    assert f"This check-in opens on {dates.day(start)}." in page
    assert "Nothing is due right now." in client.get("/checkins").get_data(as_text=True)


def test_csi16_form_shows_pole_words_and_the_printed_option_order(app, client, world):
    schedule_id = _schedule(app, world, instrument="csi16")
    login(client, world.emails["partner_a"])
    html = client.get(f"/checkins/{schedule_id}").get_data(as_text=True)
    assert "<legend>11. INTERESTING – BORING</legend>" in html
    assert "Base your responses on your first impressions" in html
    item11 = re.findall(r'name="item_11"[^>]*value="(\d)"|value="(\d)"[^>]*name="item_11"', html)
    assert [a or b for a, b in item11] == ["5", "4", "3", "2", "1", "0"]
    item2 = html.split("<legend>2. ")[1].split("</fieldset>")[0]
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", item2)
    assert labels == [
        "All the time",
        "Most of the time",
        "More often than not",
        "Occasionally",
        "Rarely",
        "Never",
    ]
    assert 'class="item differential"' in html


def test_partner_history_pages_and_view_is_audited(app, client, world):
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(weeks=25))
        partner = db.session.get(User, world.ids["partner_a"])
        for index in range(25):
            make_response(schedule, partner, index, total=index % 21)
        db.session.commit()
    login(client, world.emails["partner_a"])
    first = client.get("/checkins").get_data(as_text=True)
    assert first.count("of 21</td>") == 20 and next_page_url(first)
    second = client.get(next_page_url(first)).get_data(as_text=True)
    assert second.count("of 21</td>") == 5
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.action == "checkin.history_view")
            )
            == 2
        )
