"""Keyset pages: forwards and backwards, ascending and descending, ties in the sort key, and a
cursor from outside the list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import make_couple, make_practice, make_user
from therapy_portal.extensions import db
from therapy_portal.models import Couple, Role
from therapy_portal.pagination import keyset_page

NAMES = ["Ash", "Birch", "Birch", "Cedar", "Birch", "Elm", "Ash", "Fir", "Oak", "Birch", "Yew"]


@pytest.fixture
def listed(ctx):
    practice = make_practice()
    therapist = make_user(practice, Role.THERAPIST)
    for name in NAMES:
        make_couple(therapist, name=name, partners=0)
    other = make_couple(make_user(make_practice("Elsewhere"), Role.THERAPIST), name="Birch")
    db.session.commit()
    return select(Couple).where(Couple.practice_id == practice.id), other.id


def _walk(stmt, descending: bool, per_page: int = 3):
    pages, after = [], None
    while True:
        page = keyset_page(
            stmt,
            [Couple.display_name],
            Couple.id,
            after=after,
            per_page=per_page,
            descending=descending,
        )
        pages.append(page)
        if not page.has_more:
            return pages
        after = page.next_after


@pytest.mark.parametrize("descending", [False, True])
def test_forward_pages_list_every_row_once_in_order(listed, descending):
    stmt, _ = listed
    pages = _walk(stmt, descending)
    seen = [(c.display_name, c.id) for page in pages for c in page.items]
    assert seen == sorted(seen, reverse=descending) and len(seen) == len(NAMES)
    assert pages[0].is_first and not pages[0].has_previous
    assert all(p.has_previous and not p.is_first for p in pages[1:])


@pytest.mark.parametrize("descending", [False, True])
def test_walking_back_gives_the_same_pages(listed, descending):
    stmt, _ = listed
    forward = _walk(stmt, descending)
    page, back = forward[-1], []
    while page.has_previous:
        page = keyset_page(
            stmt,
            [Couple.display_name],
            Couple.id,
            after=None,
            before=page.prev_before,
            per_page=3,
            descending=descending,
        )
        back.append(page)
    assert [[c.id for c in p.items] for p in reversed(back)] == [
        [c.id for c in p.items] for p in forward[:-1]
    ]
    # Each page walked back to links forward to the page after it.
    assert [p.next_after for p in reversed(back)] == [p.items[-1].id for p in forward[:-1]]


def test_a_cursor_from_outside_the_list_gives_an_empty_page(listed):
    stmt, foreign = listed
    for direction in ({"after": foreign}, {"after": None, "before": foreign}):
        page = keyset_page(stmt, [Couple.display_name], Couple.id, per_page=3, **direction)
        assert page.items == [] and not page.has_more and not page.has_previous
