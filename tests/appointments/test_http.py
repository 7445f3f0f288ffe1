"""The session pages over HTTP: scheduling with bad input, overlap warnings, cancelling with a
question first, outcomes, notes from sessions, `.ics` files and calendar feeds."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from tests.appointments.factories import make_session
from tests.factories import PASSWORD, login
from therapy_portal.extensions import db
from therapy_portal.models import Couple, OutboxEmail, User, utcnow
from therapy_portal.models.appointments import Appointment

LINK = "https://video.example.org/room-http"


def _form(**overrides) -> dict:
    day = (utcnow() + timedelta(days=8)).date().isoformat()
    values = {
        "attendees": "both",
        "starts_on": day,
        "start_time": "17:00",
        "duration_minutes": "50",
        "modality": "online",
        "meeting_link": LINK,
        "service_code": "90847",
        "details": "Bring the worksheet",
        "repeat": "weekly",
        "occurrences": "4",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _as(app, world, who):
    client = app.test_client()
    assert login(client, world.emails[who], PASSWORD).status_code == 302
    return client


def _sessions(app) -> list[Appointment]:
    with app.app_context():
        return list(db.session.scalars(select(Appointment).order_by(Appointment.starts_at)))


def test_therapist_schedules_a_weekly_online_session_both_partners_see_it(app, world):
    c1 = world.couple_ids["c1"]
    therapist = _as(app, world, "therapist")
    assert therapist.get(f"/couples/{c1}/sessions/new").status_code == 200
    response = therapist.post(f"/couples/{c1}/sessions/new", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    made = _sessions(app)
    assert len(made) == 4 and response.location.endswith(f"/sessions/{made[0].id}")
    week = therapist.get(f"/schedule?week={made[0].starts_at.date().isoformat()}")
    assert "Couple One" in week.get_data(as_text=True)
    listing = therapist.get(f"/couples/{c1}/sessions").get_data(as_text=True)
    assert listing.count("Online (video)") == 4
    for who in ("partner_a", "partner_b"):
        client = _as(app, world, who)
        page = client.get("/my-sessions").get_data(as_text=True)
        assert page.count("/my-sessions/") >= 4
        detail = client.get(f"/my-sessions/{made[0].id}").get_data(as_text=True)
        assert LINK in detail and "Bring the worksheet" in detail
    outsider = _as(app, world, "other_partner")
    assert f"/my-sessions/{made[0].id}" not in outsider.get("/my-sessions").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_minutes": "0"}, "between 1 and 480"),
        ({"duration_minutes": "600"}, "between 1 and 480"),
        ({"duration_minutes": "fifty"}, "Not a valid integer"),
        ({"meeting_link": ""}, "needs its meeting link"),
        ({"occurrences": None}, "needs an end"),
        ({"starts_on": "2020-01-06"}, "already passed"),
        ({"starts_on": "not a date"}, "Not a valid date"),
        ({"repeat": "every_n_weeks", "every_weeks": "20"}, "2 to 12"),
    ],
)
def test_bad_input_shows_a_message_by_its_field_and_keeps_what_was_typed(
    app, world, overrides, message
):
    c1 = world.couple_ids["c1"]
    therapist = _as(app, world, "therapist")
    response = therapist.post(
        f"/couples/{c1}/sessions/new", data=_form(details="Kept text 123", **overrides)
    )
    page = unescape(response.get_data(as_text=True))
    assert 400 <= response.status_code < 500
    assert message in page
    assert re.search(r'class="error" id="[a-z_]+-error"', page)
    assert "Kept text 123" in page
    assert _sessions(app) == []


def test_an_overlap_is_warned_and_then_allowed(app, world):
    c1 = world.couple_ids["c1"]
    therapist = _as(app, world, "therapist")
    one = _form(repeat="none", occurrences=None)
    assert therapist.post(f"/couples/{c1}/sessions/new", data=one).status_code == 302
    warned = therapist.post(f"/couples/{c1}/sessions/new", data={**one, "start_time": "17:30"})
    text = unescape(warned.get_data(as_text=True))
    assert warned.status_code == 422 and "This overlaps your session" in text
    assert 'name="allow_overlap"' in text
    again = {**one, "start_time": "17:30", "allow_overlap": "y"}
    assert therapist.post(f"/couples/{c1}/sessions/new", data=again).status_code == 302
    assert len(_sessions(app)) == 2


def test_recording_a_past_session_and_starting_its_note(app, world):
    c1 = world.couple_ids["c1"]
    therapist = _as(app, world, "therapist")
    day = (utcnow() - timedelta(days=2)).date().isoformat()
    past = _form(repeat="none", occurrences=None, starts_on=day, recorded="y")
    response = therapist.post(f"/couples/{c1}/sessions/new", data=past)
    assert response.status_code == 302
    (session,) = _sessions(app)
    page = therapist.get(response.location).get_data(as_text=True)
    assert "Recorded after it happened" in page and "Start the note" in page
    started = therapist.post(f"/sessions/{session.id}/note", data={"format": "birp"})
    assert "/notes/" in started.location and started.location.endswith("/edit")
    edit = therapist.get(started.location).get_data(as_text=True)
    assert "Session note (BIRP)" in edit and day in edit


def test_cancel_asks_first_and_carries_the_series_choice(app, world):
    c1 = world.couple_ids["c1"]
    therapist = _as(app, world, "therapist")
    therapist.post(f"/couples/{c1}/sessions/new", data=_form())
    first = _sessions(app)[0]
    question = therapist.post(f"/sessions/{first.id}/cancel", data={"rest_of_series": "y"})
    text = question.get_data(as_text=True)
    assert question.status_code == 200 and "Cancel this session?" in text
    assert "every later session of its series" in text
    assert 'name="rest_of_series" value="y"' in text
    assert {s.status for s in _sessions(app)} == {"scheduled"}
    done = therapist.post(
        f"/sessions/{first.id}/cancel", data={"rest_of_series": "y", "confirmed": "yes"}
    )
    assert done.status_code == 302
    assert {s.status for s in _sessions(app)} == {"cancelled"}


def test_outcome_buttons_and_a_refusal_is_flashed_not_a_500(app, world):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        upcoming = make_session(therapist, couple).id
        past = make_session(therapist, couple, starts_at=utcnow() - timedelta(hours=2)).id
        db.session.commit()
    client = _as(app, world, "therapist")
    refused = client.post(f"/sessions/{upcoming}/outcome", data={"outcome": "no_show"})
    assert refused.status_code == 302
    page = client.get(refused.location).get_data(as_text=True)
    assert "once the session has started" in page
    assert client.post(f"/sessions/{past}/outcome", data={"outcome": "no_show"}).status_code == 302
    with app.app_context():
        assert db.session.get(Appointment, past).status == "no_show"


def test_reschedule_form_shows_the_local_time_and_moves_the_session(app, world):
    c1 = world.couple_ids["c1"]
    client = _as(app, world, "therapist")
    client.post(f"/couples/{c1}/sessions/new", data=_form(repeat="none", occurrences=None))
    (session,) = _sessions(app)
    form = client.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="17:00"' in form and LINK in form
    moved = client.post(
        f"/sessions/{session.id}/edit",
        data={**_form(), "start_time": "08:15", "modality": "in_person"},
    )
    assert moved.status_code == 302
    (session,) = _sessions(app)
    assert session.meeting_link is None and session.modality == "in_person"


def test_ics_downloads_and_the_private_feed(app, world):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        session = make_session(therapist, couple, modality="online", link=LINK).id
        db.session.commit()
    partner = _as(app, world, "partner_a")
    ics = partner.get(f"/my-sessions/{session}/calendar.ics")
    assert ics.mimetype == "text/calendar" and "attachment" in ics.headers["Content-Disposition"]
    assert ics.headers["Cache-Control"] == "no-store"
    assert "BEGIN:VEVENT" in ics.get_data(as_text=True)
    made = partner.post("/calendar-feed")
    link = re.search(r'value="(http[^"]+\.ics)"', made.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "Therapy session" in feed.get_data(as_text=True)
    assert LINK not in feed.get_data(as_text=True)
    assert partner.post("/calendar-feed/off").status_code == 302
    assert anonymous.get(path).status_code == 404


def test_a_partner_saves_their_reminder_choice(app, world):
    partner = _as(app, world, "partner_b")
    page = partner.get("/my-sessions").get_data(as_text=True)
    assert 'id="remind_24h" name="remind_24h" type="checkbox" value="y"' in page
    assert partner.post("/my-sessions/reminders", data={"remind_2h": "y"}).status_code == 302
    page = partner.get("/my-sessions").get_data(as_text=True)
    assert 'checked id="remind_2h"' in page
    assert 'checked id="remind_24h"' not in page


def test_partner_b_sees_nothing_of_a_session_for_a_alone(app, world):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        a_only = make_session(
            therapist, couple, starts_at=utcnow() + timedelta(hours=30, minutes=7), attendees="A"
        )
        a_only_id, a_time = a_only.id, a_only.starts_at
        db.session.commit()
    b = _as(app, world, "partner_b")
    assert b.get(f"/my-sessions/{a_only_id}").status_code == 404
    assert b.get(f"/my-sessions/{a_only_id}/calendar.ics").status_code == 404
    page = b.get("/my-sessions").get_data(as_text=True)
    assert f"/my-sessions/{a_only_id}" not in page and "No sessions are scheduled" in page
    link = re.search(r'value="(http[^"]+\.ics)"', b.post("/calendar-feed").get_data(as_text=True))
    feed = app.test_client().get(link.group(1).split("localhost", 1)[1]).get_data(as_text=True)
    assert "BEGIN:VEVENT" not in feed and a_time.strftime("%Y%m%dT%H%M") not in feed
    a = _as(app, world, "partner_a")
    assert f"/my-sessions/{a_only_id}" in a.get("/my-sessions").get_data(as_text=True)


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "nonsense", "2026-03-04"])
def test_any_week_in_the_address_shows_a_week(app, world, week):
    page = _as(app, world, "therapist").get(f"/schedule?week={week}")
    assert page.status_code == 200
    if week == "2026-03-04":
        assert "week of Mon 2 Mar 2026" in page.get_data(as_text=True)


def test_send_reminders_queues_session_reminders(app, world, runner):
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        make_session(therapist, couple, starts_at=utcnow() + timedelta(hours=20))
        db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sent = db.session.scalars(
            select(OutboxEmail.to_address).where(OutboxEmail.kind == "session_reminder")
        ).all()
    assert sorted(sent) == sorted([world.emails["partner_a"], world.emails["partner_b"]])
