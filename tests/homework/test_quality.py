"""Homework quality: the therapist rates how fully each partner did it, beside "reviewed"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.homework.factories import answers, assign, first_occurrence, make_version
from tests.homework.factories import submit as submit_answers
from therapy_portal import policy
from therapy_portal.caseload import overview
from therapy_portal.errors import NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.homework.digest import homework_digest
from therapy_portal.models import AuditEvent, utcnow
from therapy_portal.models.homework import HomeworkRating
from therapy_portal.models.vocabulary import HomeworkQuality
from therapy_portal.ui.dates import day

SHARED = [{"key": "plan", "type": "long_text", "label": "Our plan", "visibility": "shared_at_once"}]


def _occurrence(hw, title="Test exercise", mode=None):
    prompts = SHARED if mode == "joint" else None
    version = make_version(hw.therapist, prompts=prompts, title=title)
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, version, mode=mode))
    return policy.occurrence_for_therapist_or_404(hw.therapist, occurrence.id)


def test_the_four_ratings_are_a_vocabulary():
    assert [q.value for q in HomeworkQuality] == ["not_done", "partly", "fully", "beyond"]
    assert services.QUALITY_LABELS[HomeworkQuality.BEYOND] == "Beyond what was asked"


def test_each_partner_is_rated_and_rating_again_replaces_it(hw):
    occurrence = _occurrence(hw)
    submit_answers(hw.a, occurrence, answers("A"))
    services.rate_homework(hw.therapist, occurrence, {"A": "fully", "B": "not_done"})
    services.rate_homework(hw.therapist, occurrence, {"A": "beyond", "B": ""})
    assert services.ratings_of(occurrence) == {"A": "beyond", "B": "not_done"}
    assert len(db.session.scalars(select(HomeworkRating)).all()) == 2
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "homework.rate_quality")
    ).all()
    assert [(e.detail["label"], e.detail["kind"]) for e in events] == [
        ("A", "fully"),
        ("B", "not_done"),
        ("A", "beyond"),
    ]


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ({"A": "", "B": None}, "Choose how fully"),
        ({"A": "excellent"}, "Choose one of"),
        ({"J": "fully"}, "no such answer"),
    ],
)
def test_bad_ratings_are_refused_with_a_message(hw, ratings, message):
    occurrence = _occurrence(hw)
    with pytest.raises(ValidationFailed, match=message):
        services.rate_homework(hw.therapist, occurrence, ratings)
    assert services.ratings_of(occurrence) == {}


def test_a_joint_assignment_is_rated_once(hw):
    occurrence = _occurrence(hw, mode="joint")
    services.rate_homework(hw.therapist, occurrence, {"J": "partly"})
    assert services.ratings_of(occurrence) == {"J": "partly"}
    with pytest.raises(ValidationFailed):
        services.rate_homework(hw.therapist, occurrence, {"A": "partly"})


def test_another_therapist_cannot_rate(hw):
    occurrence = _occurrence(hw)
    with pytest.raises(NotAllowed):
        services.rate_homework(hw.other_therapist, occurrence, {"A": "fully"})


def test_history_per_partner_oldest_first_for_the_overview(hw):
    first = _occurrence(hw, title="Gratitude one")
    second = _occurrence(hw, title="Gratitude two")
    second.due_on = first.due_on + timedelta(days=7)
    services.rate_homework(hw.therapist, second, {"A": "fully", "B": "partly"})
    services.rate_homework(hw.therapist, first, {"A": "not_done"})
    history = services.quality_history(hw.therapist, hw.couple)
    assert [(r.title, r.label) for r in history["A"]] == [
        ("Gratitude one", "Not done"),
        ("Gratitude two", "Fully"),
    ]
    assert [r.label for r in history["B"]] == ["Partly"]
    assert services.quality_history(hw.other_therapist, hw.couple) == {}
    couple = policy.couple_for_therapist_or_404(hw.therapist, hw.couple.id)
    assert list(overview.at_a_glance(hw.therapist, couple).quality) == ["A", "B"]


def test_the_note_digest_says_how_fully_it_was_done(hw):
    since = utcnow() - timedelta(minutes=1)
    occurrence = _occurrence(hw, title="Love maps")
    services.rate_homework(hw.therapist, occurrence, {"A": "beyond", "B": "partly"})
    sections = {s.title: s.lines for s in homework_digest(hw.couple, since, utcnow())}
    assert sections["How fully the homework was done"] == [
        f"Love maps, due {day(occurrence.due_on)}: {hw.a.name} beyond what was asked, "
        f"{hw.b.name} partly."
    ]
    # Outside the window, nothing.
    later = {s.title for s in homework_digest(hw.couple, utcnow(), utcnow())}
    assert "How fully the homework was done" not in later


def test_rating_on_the_review_page_then_on_the_overview(app, site, as_user):
    from tests.homework.helpers import new_occurrence

    occurrence_id = new_occurrence(app, site)
    client = as_user(site.therapist)
    url = f"/homework/occurrences/{occurrence_id}/review"
    rate = f"/homework/occurrences/{occurrence_id}/quality"
    page = client.get(url).get_data(as_text=True)
    assert "How fully was it done?" in page and 'name="quality_A"' in page
    assert 'name="quality_J"' not in page  # each partner answers: no joint rating
    bad = client.post(rate, data={"quality_A": "superb"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Choose one of: not done, partly, fully, beyond." in text
    empty = client.post(rate, data={"quality_A": ""})
    assert "Choose how fully the homework was done" in empty.get_data(as_text=True)
    done = client.post(rate, data={"quality_A": "fully", "quality_B": "partly"})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    assert '<option selected value="fully">' in client.get(url).get_data(as_text=True)
    overview = client.get(f"/couples/{site.couple_id}").get_data(as_text=True)
    assert "<strong>Fully</strong> (Test exercise" in overview
    assert "<strong>Partly</strong> (Test exercise" in overview
    other = as_user(site.other_therapist)
    assert other.post(rate, data={"quality_A": "beyond"}).status_code == 404
