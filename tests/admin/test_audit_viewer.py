"""The admin's audit viewer: filters, keyset paging with a constant query count, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tests.factories import login
from therapy_portal import audit
from therapy_portal.admin import audit_view
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, User


@pytest.fixture
def admin_client(client, world):
    login(client, world.emails["admin"])
    return client


def _seed(app, world, count: int) -> None:
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        for n in range(count):
            audit.record(
                "test.seen",
                actor=therapist,
                object_type="thing",
                object_id=n,
                couple_id=world.couple_ids["c1"] if n % 2 else world.couple_ids["c2"],
            )
        db.session.commit()


def test_filters_by_who_couple_and_action(app, admin_client, world):
    _seed(app, world, 6)
    page = admin_client.get(
        "/admin/audit",
        query_string={
            "actor_id": world.ids["therapist"],
            "couple_id": world.couple_ids["c1"],
            "action": "test.seen",
        },
    )
    assert page.status_code == 200
    assert page.data.count(b"<td>Test: seen <code") == 3
    assert b"#" + str(world.couple_ids["c2"]).encode() + b"</td>" not in page.data


def test_a_bad_filter_value_is_marked_not_a_500(admin_client):
    page = admin_client.get("/admin/audit", query_string={"date_from": "tomorrow-ish"})
    assert page.status_code == 200 and b"Not a valid date value." in page.data


def test_keyset_pages_walk_every_event_once(app, world):
    _seed(app, world, 2 * audit_view.PER_PAGE + 5)
    with app.app_context():
        admin = db.session.get(User, world.ids["admin"])
        wanted = audit_view.AuditFilter(action="test.seen")
        seen, after, pages = [], None, []
        while True:
            page = audit_view.page(admin, wanted, after=after)
            seen += [e.object_id for e in page.events]
            pages.append([e.id for e in page.events])
            if page.older is None:
                break
            after = page.older
        assert seen == sorted(seen, reverse=True)  # newest first, across pages
        assert sorted(seen) == list(range(2 * audit_view.PER_PAGE + 5))
        # Walking back from the last page gives the same pages, newest first within each.
        back = audit_view.page(admin, wanted, before=page.newer)
        assert [e.id for e in back.events] == pages[-2] and back.older == pages[-2][-1]
        top = audit_view.page(admin, wanted, before=back.newer)
        assert [e.id for e in top.events] == pages[0] and top.newer is None


def test_a_deep_page_costs_what_the_first_does(app, admin_client, world, count_queries):
    _seed(app, world, 3 * audit_view.PER_PAGE)
    first = admin_client.get("/admin/audit")
    with count_queries() as shallow:
        admin_client.get("/admin/audit")
    with app.app_context():
        deep_id = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[60]
    with count_queries() as deep:
        page = admin_client.get("/admin/audit", query_string={"after": deep_id})
    assert first.status_code == page.status_code == 200
    assert shallow.count == deep.count
    assert b'rel="prev">Newer events' in page.data and b'rel="next">Older events' in page.data


def test_the_csv_export_has_the_filtered_events_and_is_audited(app, admin_client, world):
    _seed(app, world, 4)
    response = admin_client.get(
        "/admin/audit.csv", query_string={"couple_id": world.couple_ids["c1"]}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["couple_id"] for r in rows} == {str(world.couple_ids["c1"])}
    assert len(rows) == 2 and all(len(r["hash"]) == 64 for r in rows)
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "admin.audit_export")
        )


def test_csv_cells_that_look_like_formulas_are_neutralised():
    assert audit_view._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert audit_view._cell("note.view") == "note.view"


def test_clients_appear_by_number_only(app, admin_client, world):
    page = admin_client.get("/admin/audit")
    assert b"Client #" in page.data and b"Partner A of" not in page.data
