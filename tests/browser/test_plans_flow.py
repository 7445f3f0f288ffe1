"""A therapist writes a treatment plan with a CSI-4 goal, links the gratitude exercise to it, and
the overview shows progress from the partners' check-ins; a supervised therapist signs a note
and the supervisor co-signs it."""

from __future__ import annotations

from datetime import timedelta

from tests import clock
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, partner
from tests.homework.factories import assign, make_version
from tests.measures.factories import make_response, make_schedule
from tests.notes.factories import make_note
from tests.plans.factories import supervise
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User


def _given(app, world) -> int:
    """The couple's gratitude homework and both partners' CSI-4 check-ins; the therapist is
    supervised by the other therapist and has a complete draft note."""
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        assign(therapist, couple, make_version(therapist, title="Daily appreciation log"))
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(days=7))
        make_response(schedule, partner(couple, "A"), 0, total=15)
        make_response(schedule, partner(couple, "B"), 0, total=14)
        supervise(therapist, db.session.get(User, world.ids["other_therapist"]))
        note = make_note(therapist, couple)
        db.session.commit()
        return note.id


def test_plan_progress_and_cosignature(app, world, page, new_page):
    note_id = _given(app, world)
    log_in(page, world.emails["therapist"], PASSWORD)
    _write_and_sign_plan(page, world)

    page.goto(f"/couples/{world.couple_ids['c1']}")
    progress = page.get_by_role("region", name="Treatment plan goals")
    assert "Met: Partner A: 15, Partner B: 14" in " ".join(progress.inner_text().split())
    assert "Homework: Daily appreciation log" in progress.inner_text()

    page.goto(f"/notes/{note_id}/edit")
    page.get_by_role("button", name="Save and sign").click()
    page.get_by_role("button", name="Sign the note").click()
    assert page.get_by_text("Awaiting co-signature").is_visible()

    supervisor = new_page()
    log_in(supervisor, world.emails["other_therapist"], PASSWORD)
    supervisor.goto("/supervision")
    supervisor.get_by_role("link", name="Session note of").click()
    supervisor.get_by_role("button", name="Co-sign the note").click()
    assert supervisor.get_by_text("Co-signed. The note is final.").is_visible()
    page.reload()
    assert page.get_by_text("Co-signed by Therapist Y").is_visible()


def _write_and_sign_plan(page, world) -> None:
    page.goto(f"/couples/{world.couple_ids['c1']}/plan")
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
    assert page.get_by_text("of each partner at or above 14").is_visible()

    page.get_by_label("Link homework or a check-in to goal 1").select_option(
        label="Homework: Daily appreciation log"
    )
    page.get_by_role("button", name="Link to goal 1").click()
    assert page.get_by_text("Linked to the goal.").is_visible()
    page.get_by_role("button", name="Sign the plan").click()
    page.get_by_role("button", name="Sign the plan").click()
    assert page.get_by_text("Signature verified").is_visible()
