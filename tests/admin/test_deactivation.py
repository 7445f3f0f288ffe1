"""Nothing orphaned (issue 11 point 8): a therapist's couples go to other therapists before the
therapist is deactivated; their open safety alerts are the admin's until then; deactivation
asks first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import clock
from tests.factories import login, make_couple, make_practice, make_user
from tests.measures.factories import make_response, make_schedule
from therapy_portal.admin import reassign, services
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import (
    AuditEvent,
    Couple,
    CoupleTherapist,
    OutboxEmail,
    Role,
    User,
)
from therapy_portal.models.measures import SafetyAlert


def _alert(couple: Couple) -> SafetyAlert:
    partner_a = db.session.scalar(
        select(User).where(User.name == f"Partner A of {couple.display_name}")
    )
    phq9 = make_schedule(couple, instrument="phq9", starts_on=clock.today() - timedelta(days=1))
    flagged = make_response(phq9, partner_a, 0, answers=[0, 0, 0, 0, 0, 0, 0, 0, 2])
    alert = SafetyAlert(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        partner_id=partner_a.id,
        response_id=flagged.id,
        kind="phq9_item9",
    )
    db.session.add(alert)
    db.session.flush()
    return alert


@pytest.fixture
def team(ctx):
    """Leaving: primary of an open couple (with an alert), of a closed couple, and of a couple
    whose co-therapist is Staying; co-therapist of Staying's own couple."""
    practice = make_practice("Leaving Practice")
    admin = make_user(practice, Role.ADMIN, name="Ada Admin")
    leaving = make_user(practice, Role.THERAPIST, name="Lee Leaving")
    staying = make_user(practice, Role.THERAPIST, name="Sam Staying")
    gone = make_user(practice, Role.THERAPIST, name="Gil Gone", active=False)
    open_couple = make_couple(leaving, name="Open Pair")
    closed = make_couple(leaving, name="Closed Pair", status="closed")
    shared = make_couple(leaving, name="Shared Pair", co_therapist=staying)
    others = make_couple(staying, name="Staying Pair", co_therapist=leaving)
    _alert(open_couple)
    db.session.commit()
    return {
        "admin": admin,
        "leaving": leaving,
        "staying": staying,
        "gone": gone,
        "open": open_couple,
        "closed": closed,
        "shared": shared,
        "others": others,
    }


def test_the_couples_to_reassign_are_those_they_are_primary_for(team):
    waiting = reassign.couples_to_reassign(team["admin"], team["leaving"])
    by_name = {w.display_name: w for w in waiting}
    assert set(by_name) == {"Open Pair", "Closed Pair", "Shared Pair"}
    assert by_name["Open Pair"].open_alerts == 1 and by_name["Closed Pair"].closed
    assert by_name["Shared Pair"].co_therapist_id == team["staying"].id
    candidates = reassign.candidates(team["admin"], team["leaving"])
    assert [t.name for t in candidates] == ["Sam Staying"]  # active therapists, not them


def test_deactivation_is_refused_while_couples_would_be_left_without_a_therapist(team):
    with pytest.raises(InvalidState, match="primary therapist of 3 couples"):
        services.deactivate_user(team["admin"], team["leaving"].id)
    assert team["leaving"].active


def test_every_couple_needs_an_active_therapist(team):
    admin, leaving, staying, gone = team["admin"], team["leaving"], team["staying"], team["gone"]
    choices = {team["open"].id: staying.id, team["shared"].id: staying.id}
    with pytest.raises(ValidationFailed) as refused:
        reassign.reassign(admin, leaving, choices)  # the closed couple too
    assert refused.value.field == f"couple_{team['closed'].id}"
    choices[team["closed"].id] = gone.id  # deactivated: not a choice
    with pytest.raises(ValidationFailed) as refused:
        reassign.reassign(admin, leaving, choices)
    assert refused.value.field == f"couple_{team['closed'].id}"


def test_after_reassigning_the_therapist_can_be_deactivated(team):
    admin, leaving, staying = team["admin"], team["leaving"], team["staying"]
    moved = reassign.reassign(
        admin, leaving, {team[k].id: staying.id for k in ("open", "closed", "shared")}
    )
    assert moved == 3
    rows = db.session.execute(
        select(CoupleTherapist.couple_id, CoupleTherapist.therapist_id, CoupleTherapist.role)
    ).all()
    primary = {c: t for c, t, role in rows if role == "primary"}
    assert {primary[team[k].id] for k in ("open", "closed", "shared")} == {staying.id}
    # The co-therapist who stepped up holds one place only.
    assert [r for r in rows if r[0] == team["shared"].id] == [
        (team["shared"].id, staying.id, "primary")
    ]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "couple.primary_therapist_change")
    ).all()
    assert {(e.couple_id, e.object_id) for e in events} == {
        (team[k].id, staying.id) for k in ("open", "closed", "shared")
    }
    told = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == staying.email)
    ).all()
    assert told and all("Pair" not in m.body and "Pair" not in m.subject for m in told)
    assert services.deactivate_user(admin, leaving.id) == 0
    assert not leaving.active
    # Still co-therapist of Staying's couple: that couple has its primary.


def test_an_admin_sees_open_alerts_of_couples_whose_therapist_was_deactivated(team):
    from therapy_portal.admin.emergency import couples_of_practice

    team["leaving"].active = False  # deactivated before the rule existed
    db.session.flush()
    found = reassign.unstaffed(team["admin"], couples_of_practice(team["admin"]))
    assert found == {
        team["open"].id: (team["leaving"].id, 1),
        team["closed"].id: (team["leaving"].id, 0),
        team["shared"].id: (team["leaving"].id, 0),
    }


# Over HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(app, world):
    client = app.test_client()
    login(client, world.emails["admin"])
    return client


def test_pressing_deactivate_sends_the_admin_to_reassign_their_couples(app, admin_client, world):
    user_id, c2 = world.ids["other_therapist"], world.couple_ids["c2"]
    response = admin_client.post(f"/admin/users/{user_id}/deactivate", data={"confirmed": "yes"})
    assert response.location.endswith(f"/admin/users/{user_id}/couples")
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "primary therapist of 1 couple. Give each to another therapist first." in page
    assert f'<label for="couple_{c2}">Couple Two</label>' in page
    assert "Therapist X, LMFT" in page  # the one other active therapist
    with app.app_context():
        assert db.session.get(User, user_id).active
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "admin.reassign_view", AuditEvent.object_id == user_id
            )
        )


def test_the_reassign_form_keeps_choices_and_says_what_is_missing(admin_client, world):
    user_id, c2 = world.ids["other_therapist"], world.couple_ids["c2"]
    page = admin_client.post(f"/admin/users/{user_id}/couples", data={f"couple_{c2}": "0"})
    assert page.status_code == 422
    assert b"Choose an active therapist for this couple." in page.data


def test_deactivation_asks_first_then_deactivates(app, admin_client, world):
    user_id, c2 = world.ids["other_therapist"], world.couple_ids["c2"]
    done = admin_client.post(
        f"/admin/users/{user_id}/couples",
        data={f"couple_{c2}": world.ids["therapist"]},
        follow_redirects=True,
    )
    assert b"You can deactivate Therapist Y now." in done.data
    question = admin_client.post(f"/admin/users/{user_id}/deactivate")
    text = question.get_data(as_text=True)
    assert question.status_code == 200 and "Deactivate Therapist Y?" in text
    assert 'name="confirmed" value="yes"' in text
    with app.app_context():
        assert db.session.get(User, user_id).active  # nothing happened yet
    admin_client.post(f"/admin/users/{user_id}/deactivate", data={"confirmed": "yes"})
    with app.app_context():
        assert not db.session.get(User, user_id).active


def test_the_couples_page_shows_open_alerts_of_couples_without_a_therapist(
    app, admin_client, world
):
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c2"])
        _alert(couple)
        db.session.get(User, world.ids["other_therapist"]).active = False
        db.session.commit()
    page = admin_client.get("/admin/couples").get_data(as_text=True)
    assert "Couples without an active therapist" in page
    assert "Couple Two: 1 open safety alert." in page
    assert f"/admin/users/{world.ids['other_therapist']}/couples" in page
    assert "phq9" not in page.lower()


def test_the_couples_page_costs_the_same_for_2_and_200_couples(
    app, admin_client, world, count_queries
):
    def add_couples(n: int) -> None:
        with app.app_context():
            gone = db.session.get(User, world.ids["other_therapist"])
            for _ in range(n):
                make_couple(gone, partners=0)
            gone.active = False  # their couples wait for a new therapist
            db.session.commit()

    add_couples(1)
    admin_client.get("/admin/couples")  # the first page after sign-in also stores the session
    with count_queries() as small:
        assert admin_client.get("/admin/couples").status_code == 200
    add_couples(198)
    with count_queries() as large:
        page = admin_client.get("/admin/couples")
    assert page.status_code == 200 and page.data.count(b"0 open safety alerts") == 200
    # 8 on SQLite; PostgreSQL moves the audit chain head in one statement.
    assert small.count == large.count <= 8, large.statements
