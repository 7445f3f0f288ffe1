"""Privacy proof: partner B, and a therapist of another couple, never reach partner A's
private answers, in any page, fragment, JSON answer, email or count, nor learn they exist.

Partner A answers with unique canary strings in every private place: a therapist-only prompt, a
shared-after-both prompt before B submits, a released-by-therapist prompt before release, a list,
a draft, a kept conflict copy, and feedback addressed to A only. Then every GET route of the app
is walked (`tests/privacy_walk.py`) as B and as the other therapist, and B's answering POSTs are
tried with stale versions. Finally B's pages are compared with those of partner B of an identical
couple where A wrote nothing. `tests/test_privacy_canaries.py` walks every other kind of private
text (check-ins, safety flags, notes, records copies) as every other identity.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import privacy_walk
from tests.factories import make_couple, partner
from tests.homework.factories import assign, make_version, seat
from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.digest import homework_record
from therapy_portal.models import Couple, OutboxEmail, User
from therapy_portal.models.homework import (
    Occurrence,
)

CANARIES = {
    "private": "CANARY-THERAPIST-ONLY-7f3a",
    "after_both": "CANARY-AFTER-BOTH-91bc",
    "released": "CANARY-RELEASED-44de",
    "item": "CANARY-LIST-ITEM-0c2e",
    "draft": "CANARY-DRAFT-5b61",
    "conflict": "CANARY-CONFLICT-a8f0",
    "feedback": "CANARY-FEEDBACK-TO-A-d317",
}


def _private_answers() -> dict[str, list[str]]:
    return {
        "p_private": [CANARIES["private"]],
        "p_after_both": [CANARIES["after_both"]],
        "p_released": [CANARIES["released"]],
        "p_close": ["3"],
        "p_things-0": [CANARIES["item"]],
    }


def _b_side(b: User, occurrences: list[Occurrence]) -> None:
    """What partner B does in both couples: the same draft on the first piece of homework."""
    services.save_draft(b, seat(b, occurrences[0]), {"p_after_both": ["B is still thinking"]}, 0)


def _couple_with_homework(therapist: User, name: str, a_answers: bool) -> dict:
    couple = make_couple(therapist, name=name, policy="limited_secrets")
    a, b = partner(couple, "A"), partner(couple, "B")
    version = make_version(therapist, title="Canary exercise")
    occurrences = []
    for _ in range(3):
        assignment = assign(therapist, couple, version)
        occurrences.append(
            db.session.scalar(select(Occurrence).where(Occurrence.assignment_id == assignment.id))
        )
    _b_side(b, occurrences)
    if a_answers:
        first, second, third = occurrences
        services.submit(a, seat(a, first), _private_answers(), 0, "canary-submit-0000000001")
        services.save_draft(a, seat(a, second), {"p_private": [CANARIES["draft"]]}, 0)
        services.save_draft(a, seat(a, second), {"p_private": [CANARIES["conflict"]]}, 0)  # stale
        loaded = policy.occurrence_for_therapist_or_404(therapist, first.id)
        services.add_feedback(therapist, loaded, CANARIES["feedback"], "A", "private")
        services.submit(a, seat(a, third), _private_answers(), 0, "canary-submit-0000000003")
        services.mark_reviewed(
            therapist, policy.occurrence_for_therapist_or_404(therapist, third.id)
        )
    return {"couple": couple, "a": a, "b": b, "occurrences": occurrences}


@pytest.fixture
def worlds(app, site):
    with app.app_context():
        therapist = db.session.get(User, site.ids["therapist"])
        exposed = _couple_with_homework(therapist, "Couple Exposed", a_answers=True)
        quiet = _couple_with_homework(therapist, "Couple Quiet", a_answers=False)
        result = {
            "exposed_b": exposed["b"].email,
            "quiet_b": quiet["b"].email,
            "exposed_a": exposed["a"].email,
            "names": {
                exposed["couple"].display_name: "COUPLE",
                quiet["couple"].display_name: "COUPLE",
                exposed["a"].name: "PA",
                quiet["a"].name: "PA",
                exposed["b"].name: "PB",
                quiet["b"].name: "PB",
            },
            "exposed_occurrences": [o.id for o in exposed["occurrences"]],
            "quiet_occurrences": [o.id for o in quiet["occurrences"]],
        }
        db.session.commit()
        return result


def _assert_clean(text: str, where: str) -> None:
    for name, canary in CANARIES.items():
        assert canary not in text, f"{name} canary reached {where}"


def test_partner_b_never_reaches_partner_a_private_answers(app, worlds, as_user):
    with app.app_context():
        urls = privacy_walk.urls(app)
    assert any(u.startswith("/homework/") for u in urls) and "/home" in urls
    client = as_user(worlds["exposed_b"])
    privacy_walk.walk(client, urls, CANARIES, "partner B")
    # POSTs that answer with content: saving a stale draft, the autosave endpoint.
    for occurrence_id in worlds["exposed_occurrences"]:
        for response in (
            client.post(f"/homework/{occurrence_id}", data={"action": "save", "version": "0"}),
            client.post(
                f"/homework/{occurrence_id}/draft",
                json={"fields": {"p_private": ["x"]}, "version": 0},
            ),
        ):
            _assert_clean(response.get_data(as_text=True), f"POST {occurrence_id}")
    with app.app_context():
        for email in db.session.scalars(select(OutboxEmail)):
            _assert_clean(email.subject + email.body, f"email to {email.to_address}")
        couple = db.session.scalar(select(Couple).where(Couple.display_name == "Couple Exposed"))
        for section in homework_record(couple, "B"):
            _assert_clean("\n".join(section.lines), "B's records-request copy")


def test_the_canaries_are_real(app, worlds, as_user):
    """Guard against a vacuous proof: A and the couple's therapist do see them."""
    occurrence = worlds["exposed_occurrences"][0]
    a_page = as_user(worlds["exposed_a"]).get(f"/homework/{occurrence}").get_data(as_text=True)
    assert CANARIES["private"] in a_page and CANARIES["feedback"] in a_page
    draft_page = (
        as_user(worlds["exposed_a"])
        .get(f"/homework/{worlds['exposed_occurrences'][1]}")
        .get_data(as_text=True)
    )
    assert CANARIES["draft"] in draft_page and CANARIES["conflict"] in draft_page


def test_therapist_of_another_couple_never_reaches_them(app, worlds, site, as_user):
    with app.app_context():
        urls = privacy_walk.urls(app)
    client = as_user(site.other_therapist)
    pages = privacy_walk.walk(client, urls, CANARIES, "another couple's therapist")
    assert pages["/homework/review"].count("Canary exercise") == 0


def _normalise(text: str, names: dict[str, str]) -> str:
    for name, placeholder in names.items():
        text = text.replace(name, placeholder)
    text = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "CSRF", text)
    text = re.sub(r'(id="csrf_token"[^>]*value=")[^"]+"', r"\1TOKEN", text)
    text = re.sub(r'(name="idempotency_key"[^>]*value=")[^"]+"', r"\1KEY", text)
    text = re.sub(r'value="[^"]{20,}"', 'value="TOKEN"', text)
    text = re.sub(r"\d+", "N", text)  # ids in links and element ids
    return text


def test_partner_b_pages_have_the_same_shape_whether_or_not_a_answered(app, worlds, as_user):
    names = worlds["names"]
    exposed_urls = ["/home"] + [
        f"/homework/{i}{suffix}" for i in worlds["exposed_occurrences"] for suffix in ("", "/draft")
    ]
    quiet_urls = ["/home"] + [
        f"/homework/{i}{suffix}" for i in worlds["quiet_occurrences"] for suffix in ("", "/draft")
    ]
    exposed = as_user(worlds["exposed_b"])
    exposed_pages = [_normalise(exposed.get(u).get_data(as_text=True), names) for u in exposed_urls]
    quiet = as_user(worlds["quiet_b"])
    quiet_pages = [_normalise(quiet.get(u).get_data(as_text=True), names) for u in quiet_urls]
    for url, left, right in zip(exposed_urls, exposed_pages, quiet_pages, strict=True):
        assert left == right, f"partner B's {url} differs when partner A answered privately"
