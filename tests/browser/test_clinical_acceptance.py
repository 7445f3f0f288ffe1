"""Issue 14's acceptance in a real browser: both partners sign the consents; the therapist writes
a treatment plan with a CSI-4 goal, links a gratitude exercise to it as she assigns it, and
schedules the CSI-4 check-in toward it; after both partners' check-ins the overview shows the
goal met; a supervised therapist signs a note and the supervisor co-signs it."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests import clock
from tests.browser.conftest import log_in
from tests.browser.test_measures_flow import CSI4_ITEMS, OPTIONS
from tests.factories import PASSWORD
from tests.homework.factories import make_version
from tests.notes.factories import make_note
from tests.plans.factories import supervise
from therapy_portal.extensions import db
from therapy_portal.measures.services import local_today
from therapy_portal.models import Couple, User
from therapy_portal.models.consents import ConsentKind
from therapy_portal.policy import consents as rules

KINDS = ("couples_therapy", "no_secrets", "telehealth", "records_release")
A_NAME, B_NAME = "Partner A of Couple One", "Partner B of Couple One"


def _given(app, world) -> tuple[int, int]:
    """A gratitude exercise in the library; the therapist is supervised by the other
    therapist and has a complete draft note."""
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        gratitude = make_version(therapist, title="Daily appreciation log")
        supervise(therapist, db.session.get(User, world.ids["other_therapist"]))
        note = make_note(therapist, couple)
        db.session.commit()
        return note.id, gratitude.template_id


def _sign_consents(page, email: str, name: str) -> None:
    log_in(page, email, PASSWORD)
    for kind in KINDS:
        page.goto(f"/consents/{kind}")
        page.get_by_label("Type your full name to sign").fill(name)
        page.get_by_role("button", name="Sign this consent").click()
        expect(page.get_by_text("Signed. Thank you")).to_be_visible()
    page.goto("/consents")
    for row in page.get_by_role("row").all()[1:]:
        expect(row.get_by_role("cell").nth(1)).to_contain_text("Signed")


def _check_in(page, scores: list[int]) -> None:
    page.goto("/checkins")
    page.get_by_role("link", name="Answer the Couples Satisfaction Index (CSI-4)").click()
    for text, options, score in zip(CSI4_ITEMS, OPTIONS, scores, strict=True):
        page.get_by_role("group", name=text).get_by_label(options[score], exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you. Your check-in was sent to your therapist.")).to_be_visible()


def test_consents_plan_goal_progress_and_cosignature(app, world, page, new_page):
    note_id, template_id = _given(app, world)
    couple_id = world.couple_ids["c1"]
    partner_a, partner_b = new_page(), new_page()
    _sign_consents(partner_a, world.emails["partner_a"], A_NAME)
    _sign_consents(partner_b, world.emails["partner_b"], B_NAME)
    with app.app_context():
        couple = db.session.get(Couple, couple_id)
        for kind in ConsentKind:
            if kind in rules.kinds_for(couple):
                assert rules.missing(couple, kind, "AB") == []

    log_in(page, world.emails["therapist"], PASSWORD)
    _write_and_sign_plan(page, couple_id)
    _assign_gratitude_to_the_goal(page, couple_id, template_id)
    _schedule_check_in_toward_the_goal(page, couple_id)

    _check_in(partner_a, [3, 4, 4, 4])  # 15
    _check_in(partner_b, [3, 4, 4, 3])  # 14
    page.goto(f"/couples/{couple_id}")
    progress = page.get_by_role("region", name="Treatment plan goals")
    text = " ".join(progress.inner_text().split())
    assert "of each partner at or above 14" in text
    assert "Met: Partner A: 15, Partner B: 14" in text
    assert "Homework: Daily appreciation log" in text and "Check-in: CSI4" in text

    page.goto(f"/notes/{note_id}/edit")
    page.get_by_role("button", name="Save and sign").click()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Awaiting co-signature")).to_be_visible()

    supervisor = new_page()
    log_in(supervisor, world.emails["other_therapist"], PASSWORD)
    supervisor.goto("/supervision")
    supervisor.get_by_role("link", name="Session note of").click()
    supervisor.get_by_role("button", name="Co-sign the note").click()
    expect(supervisor.get_by_text("Co-signed. The note is final.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Co-signed by Therapist Y")).to_be_visible()


def _write_and_sign_plan(page, couple_id: int) -> None:
    page.goto(f"/couples/{couple_id}/plan")
    page.get_by_role("button", name="Start a treatment plan").click()
    page.get_by_label("Presenting problems").fill("Withdrawal after conflict.")
    goal = page.get_by_role("group", name="Goal 1")
    goal.get_by_label("Goal", exact=True).fill("Feel closer")
    goal.get_by_label("Measured by").select_option("measure")
    goal.get_by_label("Check-in").select_option("csi4")
    goal.get_by_label("Whose score").select_option("each")
    goal.get_by_label("Comparison").select_option("at_least")
    goal.get_by_label("Target score, or % of homework done").fill("14")
    page.get_by_label("Review date").fill((clock.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("of each partner at or above 14")).to_be_visible()
    page.get_by_role("button", name="Sign the plan").click()
    page.get_by_role("button", name="Sign the plan").click()
    expect(page.get_by_text("Signature verified")).to_be_visible()


def _assign_gratitude_to_the_goal(page, couple_id: int, template_id: int) -> None:
    page.goto(f"/homework/couples/{couple_id}/assign?template_id={template_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign Daily appreciation log")
    page.get_by_label("Works toward goal (optional)").select_option(label="Goal 1: Feel closer")
    page.get_by_role("button", name="Assign homework").click()
    expect(page.get_by_text("Homework assigned.")).to_be_visible()


def _schedule_check_in_toward_the_goal(page, couple_id: int) -> None:
    page.goto(f"/couples/{couple_id}/checkins/new")
    page.get_by_label("Couples Satisfaction Index (CSI-4): 4 questions").check()
    page.get_by_label("How often").select_option(label="Every week")
    page.get_by_label("First check-in opens on").fill(local_today("America/New_York").isoformat())
    page.get_by_label("Works toward goal (optional)").select_option(label="Goal 1: Feel closer")
    page.get_by_role("button", name="Schedule check-in").click()
    expect(page.get_by_text("Check-in scheduled.", exact=False)).to_be_visible()
