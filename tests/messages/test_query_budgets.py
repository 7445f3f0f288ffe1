"""Query budgets: the therapist's inbox costs the same for 2 and 200 couples, and a thread page
the same for 2 and 200 messages (keyset pages; counts in one grouped statement)."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import login, make_couple, next_page_url, partner
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.messages import Message, MessageThread


def _thread(couple: Couple, scope: str) -> MessageThread:
    thread = MessageThread(
        practice_id=couple.practice_id,
        couple_id=couple.id,
        scope=scope,
        partner_id=None if scope == "couple" else partner(couple, scope).id,
        last_message_at=utcnow(),
    )
    db.session.add(thread)
    db.session.flush()
    return thread


def _messages(thread: MessageThread, author_id: int, count: int) -> None:
    start = utcnow() - timedelta(hours=count)
    db.session.add_all(
        Message(
            practice_id=thread.practice_id,
            thread_id=thread.id,
            author_id=author_id,
            body=f"Message number {n}",
            created_at=start + timedelta(hours=n),
        )
        for n in range(count)
    )


def _caseload(app, world, couples: int) -> None:
    """Couples of the world's therapist, each with a couple thread and A's private thread."""
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        for _ in range(couples):
            couple = make_couple(therapist)
            for scope in ("couple", "A"):
                _messages(_thread(couple, scope), partner(couple, "A").id, 2)
        db.session.commit()


def test_the_inbox_costs_the_same_for_2_and_200_couples(app, world, client, count_queries):
    _caseload(app, world, 2)
    login(client, world.emails["therapist"])
    client.get("/messages/inbox")
    with count_queries() as small:
        assert client.get("/messages/inbox").status_code == 200
    _caseload(app, world, 198)
    with count_queries() as large:
        page = client.get("/messages/inbox")
    assert page.status_code == 200 and next_page_url(page.data)
    assert large.count == small.count <= 10, large.statements
    with count_queries() as second:
        assert client.get(next_page_url(page.data)).status_code == 200
    assert second.count == small.count, second.statements


def _add_to_c1(app, world, count: int) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_ids["c1"])
        thread = db.session.scalar(
            db.select(MessageThread).where(MessageThread.couple_id == couple.id)
        ) or _thread(couple, "couple")
        _messages(thread, world.ids["partner_b"], count)
        db.session.commit()


def test_a_thread_page_costs_the_same_for_2_and_200_messages(app, world, client, count_queries):
    _add_to_c1(app, world, 2)
    therapist = app.test_client()
    login(therapist, world.emails["therapist"])
    login(client, world.emails["partner_a"])
    url = f"/couples/{world.couple_ids['c1']}/messages/couple"
    for who, path in ((therapist, url), (client, "/messages/couple")):
        who.get(path)
    small = {}
    for who, path in ((therapist, url), (client, "/messages/couple")):
        with count_queries() as counted:
            assert who.get(path).status_code == 200
        small[path] = counted.count
    _add_to_c1(app, world, 198)
    for who, path in ((therapist, url), (client, "/messages/couple")):
        with count_queries() as large:
            page = who.get(path)
        assert page.status_code == 200 and next_page_url(page.data)
        assert b"Message number 197" in page.data and b"Message number 150" not in page.data
        assert large.count == small[path] <= 16, (path, large.statements)
