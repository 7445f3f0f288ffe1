"""Accepting invitations at the same moment, for real: threads, one connection each, PostgreSQL.

An invitation works exactly once, and only one account per address ever gets a password, even
when two requests arrive together (issue 8, defects 7 and 8).
"""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_DB
from tests.factories import one_partner_couple_input
from tests.mailbox import LINK, delivered_to
from tests.races import race
from therapy_portal.auth.services import authenticate
from therapy_portal.caseload import services as caseload
from therapy_portal.extensions import db
from therapy_portal.models import User

TRIALS = 20

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(TEST_DB != "postgres", reason="real concurrent writers need PostgreSQL"),
]


def _race(app, posts: list[tuple[str, str]]) -> list[int]:
    """POST each (link, password) from its own thread and client, all released together."""
    results = race(
        *(
            partial(app.test_client().post, link, data={"password": p, "confirm": p})
            for link, p in posts
        )
    )
    return [response.status_code for response in results]


def _invite(app, therapist_id: int, address: str) -> str:
    """Add a couple for `address` as this therapist; the newest link delivered to it."""
    with app.app_context():
        caseload.create_couple(
            db.session.get(User, therapist_id), one_partner_couple_input(address)
        )
        db.session.commit()
        return LINK.search(delivered_to(address)[-1]).group(1)


def test_two_clicks_on_one_invitation_set_one_password(app, world):
    for trial in range(TRIALS):
        address = f"race{trial}@example.com"
        link = _invite(app, world.ids["therapist"], address)
        passwords = [f"first long phrase {trial}", f"second long phrase {trial}"]
        statuses = _race(app, [(link, p) for p in passwords])
        assert sorted(statuses) == [302, 410], statuses
        winner = passwords[statuses.index(302)]
        loser = passwords[statuses.index(410)]
        with app.app_context():
            assert authenticate(address, winner) is not None
            assert authenticate(address, loser) is None


def test_two_practices_invitations_accepted_together_make_one_login(app, world):
    for trial in range(TRIALS):
        address = f"both{trial}@example.com"
        links = [
            _invite(app, world.ids["therapist"], address),
            _invite(app, world.ids["far_therapist"], address),
        ]
        statuses = _race(app, [(link, f"a long phrase {trial}") for link in links])
        assert sorted(statuses) == [302, 410], statuses
        with app.app_context():
            logins = db.session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.email == address, User.password_hash.is_not(None))
            )
            assert logins == 1
