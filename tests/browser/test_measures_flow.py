"""Weekly CSI-4 check-ins in a real browser: two partners answer twice, the therapist sees both."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from therapy_portal.extensions import db
from therapy_portal.measures.services import local_today
from therapy_portal.models.measures import MeasureSchedule

CSI4_ITEMS = (
    "1. Please indicate the degree of happiness, all things considered, of your relationship.",
    "2. I have a warm and comfortable relationship with my partner.",
    "3. How rewarding is your relationship with your partner?",
    "4. In general, how satisfied are you with your relationship?",
)
# Option labels per item, by printed score.
OPTIONS = (
    [
        "Extremely Unhappy",
        "Fairly Unhappy",
        "A Little Unhappy",
        "Happy",
        "Very Happy",
        "Extremely Happy",
        "Perfect",
    ],
    [
        "Not at all TRUE",
        "A little TRUE",
        "Somewhat TRUE",
        "Mostly TRUE",
        "Almost Completely TRUE",
        "Completely TRUE",
    ],
    ["Not at all", "A little", "Somewhat", "Mostly", "Almost Completely", "Completely"],
    ["Not at all", "A little", "Somewhat", "Mostly", "Almost Completely", "Completely"],
)
A_WEEKS = ([2, 2, 2, 2], [3, 3, 3, 3])  # totals 8 then 12
B_WEEKS = ([5, 5, 4, 4], [6, 5, 5, 3])  # totals 18 then 19
A_NAME, B_NAME = "Partner A of Couple One", "Partner B of Couple One"


def _answer_check_in(page, scores: list[int]) -> None:
    page.goto("/home")
    page.get_by_role("link", name="Your check-ins").click()
    page.get_by_role("link", name="Answer the Couples Satisfaction Index (CSI-4)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Couples Satisfaction Index (CSI-4)"
    for text, options, score in zip(CSI4_ITEMS, OPTIONS, scores, strict=True):
        page.get_by_role("group", name=text).get_by_label(options[score], exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you. Your check-in was sent to your therapist.")).to_be_visible()
    expect(page.get_by_text("Nothing is due right now.")).to_be_visible()


def test_two_partners_answer_two_weekly_check_ins_and_the_therapist_sees_both_lines(
    app, world, page, new_page, live_server
):
    couple_id = world.couple_ids["c1"]
    log_in(page, world.emails["therapist"], PASSWORD)
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_role("link", name="Couple One", exact=True).click()
    page.get_by_role("navigation", name="This couple").get_by_role("link", name="Check-ins").click()
    page.get_by_role("link", name="Schedule a check-in").click()
    page.get_by_label("Couples Satisfaction Index (CSI-4): 4 questions").check()
    page.get_by_label("How often").select_option(label="Every week")
    page.get_by_label("First check-in opens on").fill(local_today("America/New_York").isoformat())
    page.get_by_role("button", name="Schedule check-in").click()
    expect(page.get_by_text("Check-in scheduled.", exact=False)).to_be_visible()
    assert page.url.endswith(f"/couples/{couple_id}/progress")

    partner_a, partner_b = new_page(), new_page()
    log_in(partner_a, world.emails["partner_a"], PASSWORD)
    log_in(partner_b, world.emails["partner_b"], PASSWORD)
    _answer_check_in(partner_a, A_WEEKS[0])
    _answer_check_in(partner_b, B_WEEKS[0])

    # A week passes: move the schedule's start back so this week is its second period.
    with app.app_context():
        schedule = db.session.scalar(select(MeasureSchedule))
        schedule.starts_on -= timedelta(days=7)
        db.session.commit()
    _answer_check_in(partner_a, A_WEEKS[1])
    _answer_check_in(partner_b, B_WEEKS[1])

    page.reload()
    chart = page.get_by_role("img", name=re.compile("Line chart of Couples Satisfaction Index"))
    assert A_NAME in chart.get_attribute("alt") and B_NAME in chart.get_attribute("alt")
    src = chart.get_attribute("src")
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    assert A_NAME in svg and B_NAME in svg and "Distress cut-off (13.5)" in svg
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG renders
    table = page.get_by_role("table", name="Couples Satisfaction Index (CSI-4): totals by period")
    assert table.get_by_role("columnheader", name=A_NAME).is_visible()
    assert table.get_by_role("columnheader", name=B_NAME).is_visible()
    rows = [r.inner_text().split("\t") for r in table.get_by_role("row").all()[1:]]
    assert [[cell.split(":")[0].strip() for cell in row[1:]] for row in rows] == [
        ["8", "18", "10"],
        ["12 (reliable change", "19", "7"],
    ]

    partner_a.goto("/checkins")
    text = partner_a.content()
    assert "8 of 21" in text and "12 of 21" in text
    for trace in (B_NAME, "18 of 21", "19 of 21"):
        assert trace not in text
