"""Messages in a records request follow the per-partner rule: partner X's copy carries the
couple's thread and X's own private thread, never the other partner's; the full record all."""

from __future__ import annotations

from tests.messages.conftest import couple_thread_of, private_of
from therapy_portal.extensions import db
from therapy_portal.messages import services
from therapy_portal.messages.records import TITLES, messages_record
from therapy_portal.notes.digest import collect_record

A_PRIVATE, B_PRIVATE, SHARED = "CANARYAPRIVATE11", "CANARYBPRIVATE22", "CANARYSHARED33"


def _lines(sections) -> str:
    return "\n".join(line for s in sections for line in s.lines)


def _seed(people) -> None:
    services.send(people["a"], private_of(people["a"]), A_PRIVATE)
    services.send(people["b"], private_of(people["b"]), B_PRIVATE)
    services.send(people["b"], couple_thread_of(people["b"]), SHARED)
    db.session.flush()


def test_each_partner_s_copy_holds_the_couple_thread_and_their_own_thread_only(people):
    _seed(people)
    couple = people["couple"]
    a_copy, b_copy = messages_record(couple, "A"), messages_record(couple, "B")
    assert [s.title for s in a_copy] == [TITLES["A"], TITLES["couple"]]
    assert A_PRIVATE in _lines(a_copy) and SHARED in _lines(a_copy)
    assert B_PRIVATE not in _lines(a_copy)
    assert [s.title for s in b_copy] == [TITLES["B"], TITLES["couple"]]
    assert A_PRIVATE not in _lines(b_copy)


def test_the_full_record_holds_every_thread_and_names_the_authors(people):
    _seed(people)
    full = _lines(messages_record(people["couple"], None))
    assert all(c in full for c in (A_PRIVATE, B_PRIVATE, SHARED))
    assert "Partner A: " + A_PRIVATE in full


def test_the_records_request_picks_the_messages_up_through_the_notes_registry(people):
    _seed(people)
    assert A_PRIVATE not in _lines(collect_record(people["couple"], "B"))
    assert A_PRIVATE in _lines(collect_record(people["couple"], "A"))


def test_a_couple_without_messages_adds_nothing(people):
    assert messages_record(people["couple"], "A") == []


def test_the_demo_practice_has_a_couple_thread_and_a_private_thread(ctx):
    from sqlalchemy import func, select

    from therapy_portal import demo
    from therapy_portal.messages.unread import unread_for_partner, unread_for_therapist
    from therapy_portal.models.messages import Message, MessageThread

    world = demo.seed()
    db.session.flush()
    scopes = set(db.session.scalars(select(MessageThread.scope)))
    assert scopes == {"couple", "A"}
    assert db.session.scalar(select(func.count(Message.id))) >= 5
    (couple, partners), maya = world["couples"][0], world["staff"][1]
    assert unread_for_partner(partners[1]) == {"couple": 2, "private": 0}  # B: no private thread
    assert {u.scope for u in unread_for_therapist(maya) if u.couple_id == couple.id} == {
        "couple",
        "A",
    }
