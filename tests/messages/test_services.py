"""The rules of secure messages, without HTTP: who reads which thread, what a message may be,
unread counts, read receipts, "handled", and emails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests.messages.conftest import couple_thread_of, private_of
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.messages import services
from therapy_portal.messages.unread import UnreadThread, unread_for_partner, unread_for_therapist
from therapy_portal.models import AuditEvent, OutboxEmail
from therapy_portal.models.messages import BODY_LIMIT, MessageThread
from therapy_portal.policy import messages as rules

SECRET = "I have been seeing someone else since March"


def _therapist_place(people, who="therapist", scope="A"):
    return rules.thread_for_therapist_or_404(people[who], people["couple"].id, scope)


def _emails_to(user) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)))


def test_partner_b_never_reaches_a_s_private_thread(people):
    a, b = people["a"], people["b"]
    services.send(a, private_of(a), SECRET)
    services.send(people["therapist"], _therapist_place(people), "Thank you for telling me.")
    db.session.flush()
    assert [t.partner_id for t in db.session.scalars(rules.threads_for_partner(b))] == []
    own = private_of(b)
    assert own.thread is None and own.partner_id == b.id and own.scope == "B"
    assert unread_for_partner(b) == {"couple": 0, "private": 0}
    assert unread_for_partner(a) == {"couple": 0, "private": 1}


def test_every_therapist_of_the_couple_reads_every_thread_and_no_one_else(people):
    services.send(people["a"], private_of(people["a"]), SECRET)
    services.send(people["b"], couple_thread_of(people["b"]), "Hello all")
    db.session.flush()
    for who in ("therapist", "co"):
        assert len(db.session.scalars(rules.threads_for_therapist(people[who])).all()) == 2
    assert db.session.scalars(rules.threads_for_therapist(people["outsider"])).all() == []
    with pytest.raises(NotAllowed):
        rules.thread_for_therapist_or_404(people["outsider"], people["couple"].id, "A")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", services.EMPTY),
        ("   \n  ", services.EMPTY),
        ("x" * (BODY_LIMIT + 1), services.too_long(BODY_LIMIT + 1)),
    ],
)
def test_empty_and_too_long_messages_are_refused_next_to_the_field(people, body, message):
    with pytest.raises(ValidationFailed) as refused:
        services.send(people["a"], private_of(people["a"]), body)
    assert (refused.value.field, refused.value.message) == ("body", message)


def test_a_message_at_the_limit_is_kept_exactly(people):
    text = "y" * (BODY_LIMIT - 2) + "\r\n"
    sent = services.send(people["a"], private_of(people["a"]), text)
    assert sent.body == "y" * (BODY_LIMIT - 2) + "\n"


def test_a_closed_couple_takes_no_new_messages_but_its_threads_stay_readable(people):
    with pytest.raises(ValidationFailed) as refused:
        services.send(people["closed_a"], private_of(people["closed_a"]), "Hello?")
    assert refused.value.message == services.CLOSED and refused.value.field == "body"
    place = rules.thread_for_therapist_or_404(people["therapist"], people["closed"].id, "couple")
    assert services.read_thread(people["therapist"], place, None).page.items == []


def test_the_body_is_ciphertext_at_rest_and_rotate_covers_it(people):
    from therapy_portal.models import Base
    from therapy_portal.models.encrypted import encrypted_columns

    sent = services.send(people["a"], private_of(people["a"]), SECRET)
    db.session.commit()
    raw = db.session.scalar(sa.text("SELECT body FROM message WHERE id = :id"), {"id": sent.id})
    assert raw.startswith("enc1:") and "someone" not in raw
    assert ("message", "body") in {(t.name, c.name) for t, c in encrypted_columns(Base.metadata)}


def test_unread_counts_per_thread_for_each_reader(people):
    a, b, t = people["a"], people["b"], people["therapist"]
    services.send(a, private_of(a), "one")
    services.send(a, private_of(a), "two")
    services.send(b, couple_thread_of(b), "three")
    db.session.flush()
    couple_id = people["couple"].id
    assert unread_for_therapist(t) == [
        UnreadThread(couple_id, "A", 2),
        UnreadThread(couple_id, "couple", 1),
    ]
    assert unread_for_partner(a) == {"couple": 1, "private": 0}  # one's own are read
    services.read_thread(t, _therapist_place(people), None)
    db.session.flush()
    assert unread_for_therapist(t) == [UnreadThread(couple_id, "couple", 1)]
    assert unread_for_therapist(people["co"])[0].unread == 2  # each therapist has their own place


def test_unread_for_therapist_is_one_statement(app, people, count_queries):
    for n in range(5):
        services.send(people["a"], private_of(people["a"]), f"m{n}")
    db.session.flush()
    with count_queries() as counted:
        unread_for_therapist(people["therapist"])
    assert counted.count == 1
    with count_queries() as counted:
        unread_for_partner(people["b"])
    assert counted.count == 1


def test_read_receipts_are_the_therapists_alone(people):
    a, t = people["a"], people["therapist"]
    services.send(t, _therapist_place(people), "How are you doing?")
    db.session.flush()
    assert [
        r.read_at for r in services.read_thread(t, _therapist_place(people), None).receipts
    ] == [None]
    seen_by_a = services.read_thread(a, private_of(a), None)
    assert seen_by_a.receipts == []  # partners never see who read what
    db.session.flush()
    receipts = services.read_thread(t, _therapist_place(people), None).receipts
    assert [(r.label, r.read_at is not None) for r in receipts] == [("A", True)]
    assert receipts[0].last_read_message_id == seen_by_a.page.items[0].id
    couple_receipts = services.read_thread(t, _therapist_place(people, scope="couple"), None)
    assert couple_receipts.receipts == []  # no thread yet


def test_mark_handled_and_a_partner_message_reopens_it(people):
    a, t = people["a"], people["therapist"]
    services.send(a, private_of(a), "first")
    services.mark_handled(people["co"], _therapist_place(people, "co"))
    thread = db.session.scalar(select(MessageThread).where(MessageThread.scope == "A"))
    assert thread.handled_at is not None and thread.handled_by_id == people["co"].id
    services.send(t, _therapist_place(people), "a reply keeps it handled")
    assert thread.handled_at is not None
    services.send(a, private_of(a), "second")
    assert thread.handled_at is None
    with pytest.raises(NotAllowed):
        services.mark_handled(a, private_of(a))


def test_one_email_per_reader_until_they_read_and_none_carries_phi(people):
    a, b, t, co = people["a"], people["b"], people["therapist"], people["co"]
    for text in (SECRET, "and another thing", "and one more"):
        services.send(a, private_of(a), text)
    db.session.flush()
    assert [len(_emails_to(p)) for p in (t, co, b, a)] == [1, 1, 0, 0]
    services.read_thread(t, _therapist_place(people), None)
    db.session.flush()
    services.send(a, private_of(a), "after the therapist read")
    assert [len(_emails_to(p)) for p in (t, co)] == [2, 1]
    for email in _emails_to(t):
        assert email.subject == "You have a new message"
        assert email.body.split("\n")[3].endswith("/messages/inbox")
        assert "someone" not in email.body and "Lopez" not in email.body


def test_a_therapist_reply_in_a_private_thread_emails_that_partner_only(people):
    services.send(people["therapist"], _therapist_place(people), "Just for you")
    db.session.flush()
    a_mail = _emails_to(people["a"])
    assert len(a_mail) == 1 and a_mail[0].body.split("\n")[3].endswith("/messages")
    assert _emails_to(people["b"]) == []


def test_sending_is_audited_without_the_text(people):
    services.send(people["a"], private_of(people["a"]), SECRET)
    db.session.flush()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message.send"))
    assert event.couple_id == people["couple"].id and event.object_type == "message_thread"
    assert SECRET not in str(event.detail) and event.detail == {"kind": "private"}


def test_a_partner_cannot_write_into_a_thread_they_do_not_read(people):
    place = _therapist_place(people, scope="A")
    with pytest.raises(NotAllowed):
        services.send(people["b"], place, "sneaking in")


def test_keys_rotate_moves_message_bodies_to_the_new_key(app, people, runner):
    from therapy_portal import crypto
    from therapy_portal.models.messages import Message

    sent = services.send(people["a"], private_of(people["a"]), SECRET)
    db.session.commit()
    new_key, old = crypto.generate_key(), app.config["ENCRYPTION_KEYS"]
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key},{old}"
    crypto.init_app(app)
    result = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0 and "0 left under other keys" in result.output
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key}"  # the old key is gone
    crypto.init_app(app)
    raw = db.session.scalar(sa.text("SELECT body FROM message WHERE id = :id"), {"id": sent.id})
    assert raw.startswith("enc1:k2:")
    db.session.expire_all()
    assert db.session.get(Message, sent.id).body == SECRET
