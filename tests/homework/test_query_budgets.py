"""Query budgets: the partner's homework page and the review queue run the same number of
statements for 2 and for 50 assignments (and the caseload's homework counts are one grouped
statement)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import next_page_url
from tests.homework.factories import answers, assign, make_version, seat, submit
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Occurrence


def _add(app, site, count: int, *, submitted: bool) -> None:
    with app.app_context():
        therapist = db.session.get(User, site.ids["therapist"])
        couple = db.session.get(Couple, site.couple_id)
        a, b = db.session.get(User, site.ids["a"]), db.session.get(User, site.ids["b"])
        version = make_version(therapist)
        for n in range(count):
            assignment = assign(therapist, couple, version, due_in=n % 5)
            occurrence = db.session.scalar(
                select(Occurrence).where(Occurrence.assignment_id == assignment.id)
            )
            if n % 3 == 1:
                occurrence.due_on -= timedelta(days=10)  # overdue
            if submitted or n % 2 == 0:
                submit(a, occurrence, answers(f"a{n}"))
            if n % 4 == 0:
                services.save_draft(b, seat(b, occurrence), {"p_private": ["d"]}, 0)
        db.session.commit()


def test_partner_home_uses_the_same_statements_for_2_and_50(app, site, as_user, count_queries):
    _add(app, site, 2, submitted=False)
    client = as_user(site.a)
    client.get("/home")
    with count_queries() as small:
        assert client.get("/home").status_code == 200
    _add(app, site, 48, submitted=False)
    with count_queries() as large:
        page = client.get("/home")
    assert page.status_code == 200 and b"Overdue" in page.data
    # + the next session, new messages and the consents waiting to be signed
    assert large.count == small.count <= 19, large.statements


def test_review_queue_uses_the_same_statements_for_2_and_50(app, site, as_user, count_queries):
    _add(app, site, 2, submitted=True)
    client = as_user(site.therapist)
    client.get("/homework/review")
    with count_queries() as small:
        assert client.get("/homework/review").status_code == 200
    _add(app, site, 48, submitted=True)
    with count_queries() as large:
        page = client.get("/homework/review")
    assert page.status_code == 200 and next_page_url(page.data)
    assert large.count == small.count <= 12, large.statements
    with count_queries() as second:
        page = client.get(next_page_url(page.data))
    assert page.status_code == 200 and second.count == small.count, second.statements


def test_couple_homework_page_is_constant_too(app, site, as_user, count_queries):
    _add(app, site, 2, submitted=True)
    client = as_user(site.therapist)
    client.get(f"/homework/couples/{site.couple_id}")
    with count_queries() as small:
        client.get(f"/homework/couples/{site.couple_id}")
    _add(app, site, 30, submitted=True)
    with count_queries() as large:
        client.get(f"/homework/couples/{site.couple_id}")
    assert large.count == small.count, large.statements


def test_caseload_homework_counts_are_one_grouped_statement(app, site, count_queries):
    _add(app, site, 3, submitted=True)
    with app.app_context():
        therapist = db.session.get(User, site.ids["therapist"])
        therapist.practice  # noqa: B018 - load the practice (timezone) before counting
        with count_queries() as counted:
            counts = services.counts_for_couples(therapist, [site.couple_id, site.other_couple_id])
    assert counted.count == 1
    assert counts[site.couple_id].to_review == 3


def _caseload(app, site, couples: int) -> None:
    """Add couples to the therapist's caseload, each with a submitted answer waiting."""
    from tests.factories import make_couple, partner

    with app.app_context():
        therapist = db.session.get(User, site.ids["therapist"])
        version = make_version(therapist)
        for _ in range(couples):
            couple = make_couple(therapist)
            occurrence = db.session.scalar(
                select(Occurrence).where(
                    Occurrence.assignment_id == assign(therapist, couple, version).id
                )
            )
            submit(partner(couple, "A"), occurrence, answers("a"))
        db.session.commit()


def test_review_queue_and_caseload_cost_the_same_at_2_and_200_couples(
    app, site, as_user, count_queries
):
    _caseload(app, site, 1)  # the site's couple plus one
    app.config["SESSION_TOUCH_SECONDS"] = 3600  # growing can take over a minute: no touch then
    client = as_user(site.therapist)
    small = {}
    for path in ("/couples", "/homework/review"):
        client.get(path)
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        small[path] = counted.count
    _caseload(app, site, 198)
    for path in ("/couples", "/homework/review"):
        with count_queries() as large:
            page = client.get(path)
        assert page.status_code == 200 and next_page_url(page.data)
        assert large.count == small[path], (path, large.statements)
