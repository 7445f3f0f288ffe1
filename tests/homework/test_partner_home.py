"""The partner's home: Done is a keyset page read in the database; cancelled work shows once."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import next_page_url
from tests.homework.factories import answers, assign, first_occurrence, make_version, seat, submit
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.services.partner_home import DONE_PER_PAGE
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence
from therapy_portal.models.vocabulary import Progress


def _submitted(app, site, count: int) -> None:
    with app.app_context():
        therapist = db.session.get(User, site.ids["therapist"])
        couple = db.session.get(Couple, site.couple_id)
        a = db.session.get(User, site.ids["a"])
        version = make_version(therapist)
        for n in range(count):
            submit(a, first_occurrence(assign(therapist, couple, version, due_in=n % 7)), answers())
        db.session.commit()


def _done_links(html: str) -> list[str]:
    done = html[html.index('id="done-heading"') :]
    return re.findall(r'href="/homework/(\d+)"', done)


def test_done_is_a_keyset_page_read_in_the_database(app, site, as_user, count_queries):
    _submitted(app, site, 25)
    client = as_user(site.a)
    client.get("/home")
    with count_queries() as first:
        page = client.get("/home").get_data(as_text=True)
    shown = _done_links(page)
    assert len(shown) == DONE_PER_PAGE == 20
    assert any("LIMIT" in s.upper() for s in first.statements)
    with count_queries() as second:
        rest = client.get(next_page_url(page)).get_data(as_text=True)
    more = _done_links(rest)
    assert len(more) == 5 and not set(more) & set(shown)
    assert second.count == first.count, second.statements
    assert next_page_url(rest) is None


def test_a_cancelled_assignment_shows_once_and_what_was_written_stays(hw):
    version = make_version(hw.therapist)
    weekly = assign(hw.therapist, hw.couple, version, due_in=1, cadence="weekly", ends_in=20)
    occurrences = list(
        db.session.scalars(
            select(Occurrence.id)
            .where(Occurrence.assignment_id == weekly.id)
            .order_by(Occurrence.sequence)
        )
    )
    assert len(occurrences) == 3
    services.save_draft(hw.a, seat(hw.a, occurrences[2]), {"p_private": ["kept"]}, 0)
    services.cancel(hw.therapist, weekly)
    home = services.partner_home(hw.a)
    assert [i.occurrence.id for i in home.done] == [occurrences[2], occurrences[0]]
    assert {i.state for i in home.done} == {Progress.CANCELLED}
    assert not home.due_soon and not home.overdue
    assert services.partner_home(hw.b).done[0].occurrence.id == occurrences[0]
