"""The therapist's progress page over HTTP: charts, accessible tables, audit, query budget."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from html import escape, unescape

from sqlalchemy import select

from tests import clock
from tests.factories import login
from tests.measures.factories import make_response, make_schedule
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, User


def _seed(app, world, periods: int, start_weeks_ago: int = 30) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(weeks=start_weeks_ago))
        a = db.session.get(User, world.ids["partner_a"])
        b = db.session.get(User, world.ids["partner_b"])
        for index in range(periods):
            make_response(schedule, a, index, total=6 + index % 10)
            make_response(schedule, b, index, total=15 + index % 3)
        db.session.commit()


def _chart_svgs(html: str) -> list[str]:
    return [
        base64.b64decode(src).decode()
        for src in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]


def test_progress_page_shows_both_lines_cutoff_gap_and_a_table(app, client, world):
    _seed(app, world, 3)
    login(client, world.emails["therapist"])
    html = client.get(f"/couples/{world.couple_ids['c1']}/progress").get_data(as_text=True)
    assert html.count("<h1>") == 1 and "<title>Check-ins and progress" in html
    (svg,) = _chart_svgs(html)
    names = [f"Partner {label} of Couple One" for label in "AB"]
    for name in names:
        assert escape(name) in svg and f'<th scope="col">{name}</th>' in html
    assert "Distress cut-off (13.5)" in svg and "Gap between partners" in svg
    assert "<script" not in svg
    # 6 -> 8 is not reliable for partner A (min 3.06 points with the csi4 norms); the table
    # spells out each period, with a link to each answer set.
    assert "<caption>Couples Satisfaction Index (CSI-4): totals by period</caption>" in html
    assert re.search(
        r'<th scope="row">\w{3} \d{1,2} \w{3} \d{4}</th>\s*<td><a href="/checkins/responses/', html
    )
    assert (
        'alt="Line chart of Couples Satisfaction Index (CSI-4) totals over time for '
        "Partner A of Couple One and Partner B of Couple One." in unescape(html)
    )
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "measures.view")
        ) == {"count": 6}


def test_reliable_changes_are_marked_on_the_chart_and_in_words(app, client, world):
    _seed(app, world, 6)
    login(client, world.emails["therapist"])
    html = client.get(f"/couples/{world.couple_ids['c1']}/progress").get_data(as_text=True)
    assert "Partner A of Couple One: reliable change (improved)" in unescape(html)
    assert "(reliable change: improved)" in html
    assert escape("Partner A of Couple One: reliable change") in _chart_svgs(html)[0]
    assert "reliable change (computed)" in html and "Jacobson" not in html


def test_empty_progress_page_explains_what_to_do(app, client, world):
    login(client, world.emails["therapist"])
    html = client.get(f"/couples/{world.couple_ids['c1']}/progress").get_data(as_text=True)
    assert "No check-ins yet." in html and "Schedule a check-in" in html
    assert "Nothing to chart yet." in html


def test_progress_page_query_count_is_the_same_for_2_and_20_responses(
    app, client, world, count_queries
):
    login(client, world.emails["therapist"])
    url = f"/couples/{world.couple_ids['c1']}/progress"
    _seed(app, world, 1)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    with app.app_context():
        # Another instrument's schedule and ten more periods per partner.
        couple = db.session.get(Couple, world.couple_ids["c1"])
        a = db.session.get(User, world.ids["partner_a"])
        b = db.session.get(User, world.ids["partner_b"])
        phq9 = make_schedule(
            couple, instrument="phq9", starts_on=clock.today() - timedelta(weeks=40)
        )
        for index in range(9):
            make_response(phq9, a, index, answers=[1] * 9)
            make_response(phq9, b, index, answers=[0] * 9)
        db.session.commit()
    with count_queries() as large:
        html = client.get(url).get_data(as_text=True)
    assert len(_chart_svgs(html)) == 2
    assert large.count == small.count, (small.statements, large.statements)


def test_response_detail_shows_each_answer_as_printed_and_is_audited(app, client, world):
    _seed(app, world, 1)
    login(client, world.emails["therapist"])
    html = client.get(f"/couples/{world.couple_ids['c1']}/progress").get_data(as_text=True)
    link = re.search(r'href="(/checkins/responses/\d+)"', html).group(1)
    detail = client.get(link).get_data(as_text=True)
    assert (
        "<td>1. Please indicate the degree of happiness, all things considered, of your "
        "relationship.</td><td>Perfect</td><td>6</td>" in detail.replace("\n", "")
    )
    assert "Partner A: Partner A of Couple One" in detail
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent.object_type).where(AuditEvent.action == "measure_response.view")
            )
            == "measure_response"
        )
