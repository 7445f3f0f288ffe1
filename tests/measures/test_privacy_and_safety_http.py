"""What each person can reach: partners see only their own check-ins; alerts go to therapists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import clock
from tests.factories import login
from tests.measures.factories import make_response, make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, OutboxEmail, User
from therapy_portal.models.measures import SafetyAlert

CANARY_A_NAME = "Zebulon Canaryfield"
# Partner A's answers: CSI-16 total 73 (of 81), PHQ-9 total 19 with item 9 = 2.
CSI16_A = [6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 1]
PHQ9_A = [3, 3, 3, 2, 2, 2, 1, 1, 2]
CANARIES = (
    CANARY_A_NAME,
    "73 of 81",
    "19 of 27",
    "phq9_item9",
    "Safety",
    "safety",
    "question 9",
    "moderately severe",
    "reliable change",
    "distress",
)


@pytest.fixture
def seeded(app, world):
    """Partner A answered CSI-16 and PHQ-9 (flagged); partner B answered CSI-16 once."""
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        a = db.session.get(User, world.ids["partner_a"])
        b = db.session.get(User, world.ids["partner_b"])
        a.name = CANARY_A_NAME
        start = clock.today() - timedelta(days=1)
        csi16 = make_schedule(couple, instrument="csi16", starts_on=start - timedelta(weeks=1))
        phq9 = make_schedule(couple, instrument="phq9", interval_weeks=2, starts_on=start)
        make_response(csi16, a, 0, answers=CSI16_A)
        make_response(csi16, b, 0, total=40)
        flagged = make_response(phq9, a, 0, answers=PHQ9_A)
        db.session.add(
            SafetyAlert(
                practice_id=couple.practice_id,
                couple_id=couple.id,
                partner_id=a.id,
                response_id=flagged.id,
                kind="phq9_item9",
            )
        )
        db.session.commit()
        return {"csi16": csi16.id, "phq9": phq9.id, "flagged": flagged.id}


def _links(html: str) -> set[str]:
    return {h for h in re.findall(r'href="(/[^"]*)"', html) if not h.startswith("/static")}


def test_partner_b_reaches_nothing_of_partner_a(app, client, world, seeded):
    login(client, world.emails["partner_b"])
    seen, queue, pages = (
        set(),
        ["/home", "/checkins", f"/checkins/{seeded['csi16']}", f"/checkins/{seeded['phq9']}"],
        [],
    )
    while queue:  # every page partner B can reach by following links from their pages
        url = queue.pop()
        if url in seen or url.startswith(("/logout", "/password")):
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        pages.append((url, html))
        queue.extend(_links(html) - seen)
    assert {"/home", "/checkins"} <= seen
    for url, html in pages:
        # The practice's consent documents speak of safety in general to every partner.
        generic = ("Safety", "safety") if url.startswith("/consents/") else ()
        for canary in CANARIES:
            if canary not in generic:
                assert canary not in html, f"{canary!r} leaked on {url}"
        if url.startswith("/checkins"):  # (a settings page may show its saved choices)
            assert " checked" not in html, f"an answer is pre-selected on {url}"
    # B's own CSI-16 total is there, and nothing of A's.
    assert "40 of 81" in dict(pages)["/checkins"]
    for url in (
        f"/checkins/responses/{seeded['flagged']}",
        f"/couples/{world.couple_ids['c1']}/progress",
    ):
        assert client.get(url).status_code == 404


def test_partner_a_never_sees_their_own_flag_or_band(app, client, world, seeded):
    login(client, world.emails["partner_a"])
    html = client.get("/checkins").get_data(as_text=True)
    assert "19 of 27" in html and "73 of 81" in html
    for hidden in ("phq9_item9", "Safety", "safety", "moderately severe", "question 9", "40 of 81"):
        assert hidden not in html


def test_other_couples_partner_cannot_open_or_answer_c1_check_ins(app, client, world, seeded):
    login(client, world.emails["other_partner"])
    assert client.get(f"/checkins/{seeded['csi16']}").status_code == 404
    assert client.post(f"/checkins/{seeded['phq9']}", data={"item_1": "0"}).status_code == 404
    assert "Nothing is due right now." in client.get("/checkins").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "measures.access", AuditEvent.outcome == "denied"
            )
        )


def test_item9_answer_alerts_the_therapist_at_once_and_can_be_acknowledged(app, client, world):
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        schedule_id = make_schedule(
            couple, instrument="phq9", starts_on=clock.today() - timedelta(days=1)
        ).id
        db.session.commit()
    login(client, world.emails["partner_b"])
    answers = {f"item_{n}": "0" for n in range(1, 10)} | {"item_9": "1"}
    assert client.post(f"/checkins/{schedule_id}", data=answers).status_code == 302
    listing = client.get("/checkins").get_data(as_text=True)
    assert "1 of 27" in listing and "Safety" not in listing and "alert" not in listing.lower()
    client.post("/logout")

    login(client, world.emails["therapist"])
    caseload = client.get("/couples").get_data(as_text=True)
    assert '<h2 id="safety-alerts-heading">Safety alerts</h2>' in caseload
    assert "Couple One</strong>, Partner B" in caseload
    with app.app_context():
        alert = db.session.scalar(select(SafetyAlert))
        email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "safety_alert"))
        assert email.to_address == world.emails["therapist"]
        assert "A client's check-in needs your attention. Log in to review." in email.body
        assert "Couple One" not in email.body and "PHQ" not in email.body
    review = client.get(f"/checkins/responses/{alert.response_id}").get_data(as_text=True)
    assert "Safety alert." in review and "Several days" in review
    assert "9. Thoughts that you would be better off dead" in review
    assert client.post(f"/safety-alerts/{alert.id}/acknowledge").status_code == 302
    assert "Safety alerts" not in client.get("/couples").get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {
            "safety_alert.raise",
            "safety_alert.acknowledge",
            "measure_response.view",
            "checkin.submit",
        } <= actions
    client.post("/logout")
    login(client, world.emails["other_therapist"])
    assert "Safety alerts" not in client.get("/couples").get_data(as_text=True)
    assert client.post(f"/safety-alerts/{alert.id}/acknowledge").status_code == 404
