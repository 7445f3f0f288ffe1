"""Care-team changes: only the primary therapist or an admin; each change audited and told."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests import clock
from tests.factories import login, make_couple, make_practice, make_user, partner
from therapy_portal.caseload import care_team
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, CoupleTherapist, OutboxEmail, Role


@pytest.fixture
def team(ctx):
    practice = make_practice()
    primary = make_user(practice, Role.THERAPIST, name="Primary P")
    co = make_user(practice, Role.THERAPIST, name="Co C")
    other = make_user(practice, Role.THERAPIST, name="Other O")
    admin = make_user(practice, Role.ADMIN, name="Admin A")
    couple = make_couple(primary, name="Secret Couple Name", co_therapist=co)
    db.session.commit()
    return {"primary": primary, "co": co, "other": other, "admin": admin, "couple": couple}


def _couple(couple_id: int) -> Couple:
    db.session.expire_all()
    return db.session.scalar(
        select(Couple)
        .where(Couple.id == couple_id)
        .options(selectinload(Couple.therapists), selectinload(Couple.members))
    )


def _co_ids(couple_id: int) -> list[int]:
    return db.session.scalars(
        select(CoupleTherapist.therapist_id).where(
            CoupleTherapist.couple_id == couple_id, CoupleTherapist.role == "co"
        )
    ).all()


def test_a_co_therapist_cannot_replace_themselves(team):
    couple = _couple(team["couple"].id)
    wanted = care_team.current(couple)
    with pytest.raises(ValidationFailed, match="primary therapist"):
        care_team.change(team["co"], couple, replace(wanted, co_therapist_id=team["other"].id))


def test_a_co_therapist_cannot_change_the_policy(team):
    couple = _couple(team["couple"].id)
    with pytest.raises(ValidationFailed, match="primary therapist"):
        care_team.change(
            team["co"],
            couple,
            care_team.CareTeam(team["co"].id, "limited_secrets", clock.today()),
        )


@pytest.mark.parametrize("who", ["primary", "admin"])
def test_the_primary_therapist_or_an_admin_swaps_the_co_therapist(team, who):
    couple = _couple(team["couple"].id)
    wanted = care_team.current(couple)
    assert care_team.change(team[who], couple, replace(wanted, co_therapist_id=team["other"].id))
    db.session.commit()
    assert _co_ids(couple.id) == [team["other"].id]
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.object_id).where(
            AuditEvent.action.like("couple.co_therapist_%")
        )
    ).all()
    assert sorted(events) == [
        ("couple.co_therapist_add", team["other"].id),
        ("couple.co_therapist_remove", team["co"].id),
    ]


def test_everyone_else_on_the_team_and_both_partners_are_told_without_phi(team):
    couple = _couple(team["couple"].id)
    a, b = partner(couple, "A"), partner(couple, "B")
    wanted = care_team.CareTeam(None, "limited_secrets", clock.today() - timedelta(days=1))
    care_team.change(team["primary"], couple, wanted)
    db.session.commit()
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "care_team")).all()
    assert sorted(e.to_address for e in emails) == sorted([team["co"].email, a.email, b.email])
    for email in emails:
        for secret in ("Secret Couple Name", a.name, b.name, "limited", "Co C", "Primary P"):
            assert secret not in email.body and secret not in email.subject
    policy_event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "couple.policy_change")
    )
    assert policy_event.detail == {"from_status": "no_secrets", "to_status": "limited_secrets"}


def test_no_change_sends_nothing(team):
    couple = _couple(team["couple"].id)
    assert not care_team.change(team["co"], couple, care_team.current(couple))
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_a_co_therapists_edit_page_shows_the_team_as_text_and_keeps_it(app, client, team):
    with app.app_context():
        couple_id, co_email = team["couple"].id, team["co"].email
        other_id = team["other"].id
    login(client, co_email)
    page = client.get(f"/couples/{couple_id}/edit")
    assert b"primary therapist or a practice admin can change it" in page.data
    assert b'name="co_therapist_id"' not in page.data
    with app.app_context():
        couple = _couple(couple_id)
        a, b = partner(couple, "A"), partner(couple, "B")
        form = {
            "display_name": "Renamed",
            "partner_a_name": a.name,
            "partner_a_email": a.email,
            "partner_b_name": b.name,
            "partner_b_email": b.email,
            "confidentiality_policy": "limited_secrets",
            "policy_agreed_on": clock.today().isoformat(),
            "co_therapist_id": str(other_id),
        }
    response = client.post(f"/couples/{couple_id}/edit", data=form)
    assert response.status_code == 302
    with app.app_context():
        couple = _couple(couple_id)
        assert couple.display_name == "Renamed"
        assert couple.confidentiality_policy == "no_secrets"
        assert _co_ids(couple_id) == [team["co"].id]
