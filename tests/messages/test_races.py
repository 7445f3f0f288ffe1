"""Two first messages in one thread at the same moment (a partner and the therapist, say) make
one thread and keep both messages; the readers' place rows are made once. PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_couple, partner
from tests.races import RACE_MARKS, race
from therapy_portal.extensions import db
from therapy_portal.messages import services
from therapy_portal.models import Couple, User
from therapy_portal.models.messages import Message, MessageRead, MessageThread
from therapy_portal.policy import messages as rules

TRIALS = 10
pytestmark = RACE_MARKS


def _send(app, user_id: int, couple_id: int, text: str) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        if user.role == "client":
            place = rules.thread_for_partner_or_404(user, "private")
        else:
            place = rules.thread_for_therapist_or_404(user, couple_id, "A")
        services.send(user, place, text)
        db.session.commit()


@pytest.mark.parametrize("trial", range(TRIALS))
def test_two_first_messages_at_once_make_one_thread(app, world, trial):
    with app.app_context():
        couple = make_couple(db.session.get(User, world.ids["therapist"]))
        couple_id, a_id = couple.id, partner(couple, "A").id
        db.session.commit()
    race(
        lambda: _send(app, a_id, couple_id, "from A"),
        lambda: _send(app, world.ids["therapist"], couple_id, "from the therapist"),
    )
    with app.app_context():
        threads = db.session.scalars(
            select(MessageThread).where(MessageThread.couple_id == couple_id)
        ).all()
        assert len(threads) == 1 and threads[0].scope == "A"
        assert (
            db.session.scalar(
                select(func.count(Message.id)).where(Message.thread_id == threads[0].id)
            )
            == 2
        )
        places = db.session.scalars(
            select(MessageRead.user_id).where(MessageRead.thread_id == threads[0].id)
        ).all()
        assert sorted(places) == sorted({a_id, world.ids["therapist"]})
        assert db.session.get(Couple, couple_id) is not None
