"""Privacy proof: no one but partner A and the couple's therapist reads A's private text, anywhere.

`tests/privacy_world.py` seeds a unique canary into every kind of private text: answers under
each visibility rule, drafts, conflict copies, feedback and return notes for A, check-ins, a
safety flag, note fields screened individually or marked "not for partner copies", an A-only
session, a draft note, a psychotherapy note, A's private messages and three records copies. Then
every route of the app
(`app.url_map`, so new routes are walked too) is opened with every id, as the other partner,
another couple's partner and therapist, another practice's admin and partner, the practice's
admin and a visitor; pages, fragments, JSON, PDFs and ZIPs are read, and so is every email.
"""

from __future__ import annotations

import pytest

from tests import privacy_walk, privacy_world
from tests.factories import login
from tests.privacy_world import IDENTITY, JOINT_NOTE, PRIVATE
from therapy_portal import storage
from therapy_portal.extensions import db
from therapy_portal.mail import send_pending
from therapy_portal.models import OutboxEmail
from therapy_portal.models.notes import NoteExport
from therapy_portal.notes import jobs

NOTES_ONLY = {"joint session note": JOINT_NOTE}  # partners and outsiders never open a note
# What each walker must never read. Partner B knows who A is; nobody else does.
WALKERS = {
    "partner_b": PRIVATE | NOTES_ONLY,
    "other_couples_partner": PRIVATE | NOTES_ONLY | IDENTITY,
    "other_couples_therapist": PRIVATE | NOTES_ONLY | IDENTITY,
    # The practice's admin sees couples' display names to staff them (docs/security.md), never
    # a partner's name or anything clinical.
    "practice_admin": PRIVATE | NOTES_ONLY | {"partner A's name": IDENTITY["partner A's name"]},
    "other_practice_admin": PRIVATE | NOTES_ONLY | IDENTITY,
    "other_practice_partner": PRIVATE | NOTES_ONLY | IDENTITY,
    "visitor": PRIVATE | NOTES_ONLY | IDENTITY,
}


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"NOTE_EXPORT_DIR": str(tmp_path / "exports")}


@pytest.fixture
def seeded(app):
    with app.app_context():
        return privacy_world.seed()


def _client(app, seeded, who: str):
    client = app.test_client()
    if who != "visitor":
        assert login(client, seeded.emails[who]).status_code == 302
    return client


@pytest.mark.parametrize("who", list(WALKERS))
def test_no_one_else_reaches_private_text_through_any_route(app, seeded, who):
    with app.app_context():
        gets, posts = privacy_walk.urls(app), privacy_walk.urls(app, "POST")
    client = _client(app, seeded, who)
    privacy_walk.walk(client, gets, WALKERS[who], who)
    if who != "visitor":  # the walk kept its session, so every page was seen as `who`
        assert client.get("/account/password").status_code == 200
    # Every POST with empty data, too (its answers: error pages, conflicts, JSON). Not B's: they
    # would change B's own homework, whose POSTs tests/homework/test_privacy_canaries.py walks.
    if who != "partner_b":
        found = []
        for url in posts:
            response = client.post(url, data={})
            assert response.status_code < 500, f"{who}: POST {url}"
            text = privacy_walk.text_of(response)
            found += [f"POST {url}: {k}" for k in privacy_walk.leaks(text, WALKERS[who])]
        assert found == [], "\n".join(found)


def test_the_canaries_are_real(app, seeded):
    """Guard against a vacuous proof: A and the couple's therapist do reach every canary."""
    with app.app_context():
        gets = privacy_walk.urls(app)
    seen = {}
    for who in ("partner_a", "therapist"):
        for url, text in privacy_walk.walk(_client(app, seeded, who), gets, {}, who).items():
            seen[f"{who} {url}"] = text
    missing = privacy_walk.leaks("\n".join(seen.values()), PRIVATE | NOTES_ONLY | IDENTITY)
    assert sorted(missing) == sorted(PRIVATE | NOTES_ONLY | IDENTITY)
    # The walk reads PDFs and ZIPs, not only pages.
    for suffix in ("/pdf", "/download"):
        assert any(
            key.endswith(suffix) and privacy_walk.leaks(text, NOTES_ONLY)
            for key, text in seen.items()
        ), f"no {suffix} response was read"


def _copy_text(app, export_id: int) -> str:
    with app.app_context():
        stored = jobs.file_of(db.session.get(NoteExport, export_id))
        data = b"".join(storage.stream(stored))
    return privacy_walk._zip_text(data)


def test_partner_b_s_copy_of_the_record_holds_nothing_private_of_a(app, seeded):
    text = _copy_text(app, seeded.copies["B"])
    assert privacy_walk.leaks(text, PRIVATE) == []
    assert privacy_walk.leaks(text, NOTES_ONLY) == ["joint session note"]


def test_partner_a_s_copy_and_the_full_record_hold_what_they_should(app, seeded):
    notes = {
        k: PRIVATE[k]
        for k in (
            "note field screened individually",
            "note field marked not for partner copies",
            "session A attended alone",
            "draft session note",
            "psychotherapy note",
        )
    }
    own = privacy_walk.leaks(_copy_text(app, seeded.copies["A"]), notes)
    assert own == ["session A attended alone"]  # A's own screening stays in A's own copy
    full = privacy_walk.leaks(_copy_text(app, seeded.copies["full"]), notes)
    assert full == [
        "note field screened individually",
        "note field marked not for partner copies",
        "session A attended alone",
    ]


def test_no_email_carries_private_text(app, seeded):
    """Neither what the outbox stores nor what it delivers (the test backend keeps both)."""
    with app.app_context():
        stored = [
            (f"stored {e.kind} to {e.to_address}", e.subject + "\n" + e.body)
            for e in db.session.scalars(db.select(OutboxEmail))
        ]
        send_pending()
        delivered = [
            (f"delivered to {m.to}", m.subject + "\n" + m.body)
            for m in app.extensions.get("sent_mail", [])
        ]
    assert any("safety_alert" in where for where, _ in stored) and delivered
    found = [
        f"{where}: {kind}"
        for where, text in stored + delivered
        for kind in privacy_walk.leaks(text, PRIVATE | NOTES_ONLY)
    ]
    assert found == [], "\n".join(found)
