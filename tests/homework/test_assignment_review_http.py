"""A therapist over HTTP after the library: assigning, changing an assignment, reviewing, FHIR
downloads and the homework counts on the caseload."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests import clock
from tests.homework.factories import answers, submit
from tests.homework.helpers import new_occurrence
from tests.homework.helpers import page_text as _text
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, User
from therapy_portal.models.homework import Assignment, Feedback, Occurrence


def _assign_data(version, **overrides) -> MultiDict:
    data = {
        "mode": "each_partner",
        "due_on": (clock.today() + timedelta(days=3)).isoformat(),
        "cadence": "once",
        "ends_on": "",
        "note": "Go gently.",
    }
    data.update({f"vis_{p['key']}": p["visibility"] for p in version.prompts})
    data.update(overrides)
    return MultiDict(data)


def _practice_template(app, site) -> tuple[int, object]:
    from tests.homework.factories import make_version

    with app.app_context():
        version = make_version(db.session.get(User, site.ids["therapist"]))
        db.session.commit()
        return version.template_id, version


def test_assign_form_creates_the_assignment(app, site, as_user):
    template_id, version = _practice_template(app, site)
    client = as_user(site.therapist)
    url = f"/homework/couples/{site.couple_id}/assign?template_id={template_id}"
    form = _text(client.get(url))
    assert "Who sees the answer to" in form and "Runs until" in form
    response = client.post(url, data=_assign_data(version))
    assert response.status_code == 302
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        assert assignment.note == "Go gently." and assignment.visibility["private"] == (
            "therapist_only"
        )


def test_assign_bad_input_is_explained_and_kept(app, site, as_user):
    template_id, version = _practice_template(app, site)
    client = as_user(site.therapist)
    url = f"/homework/couples/{site.couple_id}/assign?template_id={template_id}"
    past = client.post(
        url,
        data=_assign_data(
            version, due_on=(clock.today() - timedelta(days=3)).isoformat(), note="Keep me"
        ),
    )
    assert past.status_code == 422 and "can't be in the past" in _text(past)
    assert "Keep me" in _text(past)
    no_end = client.post(url, data=_assign_data(version, cadence="daily"))
    assert no_end.status_code == 422 and "needs an end date" in _text(no_end)
    too_many = client.post(
        url,
        data=_assign_data(
            version, cadence="daily", ends_on=(clock.today() + timedelta(days=200)).isoformat()
        ),
    )
    assert "the most is 60" in _text(too_many)
    private_shared = client.post(url, data=_assign_data(version, vis_private="shared_at_once"))
    assert private_shared.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Assignment)) is None


def test_assigning_to_a_closed_couple_is_refused(app, site, as_user):
    template_id, version = _practice_template(app, site)
    with app.app_context():
        from therapy_portal.models import Couple

        db.session.get(Couple, site.couple_id).status = "closed"
        db.session.commit()
    response = as_user(site.therapist).post(
        f"/homework/couples/{site.couple_id}/assign?template_id={template_id}",
        data=_assign_data(version),
    )
    assert response.status_code == 422 and "couple is closed" in _text(response)


def test_cancel_extend_and_reschedule_from_the_assignment_page(app, site, as_user):
    occurrence_id = new_occurrence(app, site, cadence="weekly", due_in=1, ends_in=8)
    with app.app_context():
        assignment_id = db.session.get(Occurrence, occurrence_id).assignment_id
    client = as_user(site.therapist)
    page = _text(client.get(f"/homework/assignments/{assignment_id}"))
    assert "Change due date" in page and "Extend" in page
    past = client.post(
        f"/homework/occurrences/{occurrence_id}/due",
        data={"due_on": (clock.today() - timedelta(days=9)).isoformat()},
        follow_redirects=True,
    )
    assert "can't be in the past" in _text(past)
    extended = client.post(
        f"/homework/assignments/{assignment_id}/extend",
        data={"ends_on": (clock.today() + timedelta(days=22)).isoformat()},
        follow_redirects=True,
    )
    assert "Extended" in _text(extended)
    cancel_url = f"/homework/assignments/{assignment_id}/cancel"
    question = client.post(cancel_url)
    assert question.status_code == 200 and "Cancel this assignment?" in _text(question)
    assert 'name="confirmed" value="yes"' in question.get_data(as_text=True)
    confirmed = {"confirmed": "yes"}
    cancelled = client.post(cancel_url, data=confirmed, follow_redirects=True)
    assert "Cancelled. The partners see it as cancelled" in _text(cancelled)
    again = client.post(cancel_url, data=confirmed, follow_redirects=True)
    assert "already cancelled" in _text(again)


def test_review_page_side_by_side_feedback_to_one_partner(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    with app.app_context():
        occurrence = db.session.get(Occurrence, occurrence_id)
        a, b = db.session.get(User, site.ids["a"]), db.session.get(User, site.ids["b"])
        submit(a, occurrence, answers("A", close="1", things=("Tea", "Walk")))
        submit(b, occurrence, answers("B", close="9", things=("walk",)))
        db.session.commit()
    client = as_user(site.therapist)
    html = _text(client.get(f"/homework/occurrences/{occurrence_id}/review"))
    assert 'class="side-by-side"' in html
    assert "private A" in html and "private B" in html
    assert "Notable gap:" in html and "8 points apart" in html
    assert "Only partner A named:</strong> Tea" in html
    sent = client.post(
        f"/homework/occurrences/{occurrence_id}/feedback",
        data={"prompt_key": "close", "audience": "A", "body": "Noticed this"},
    )
    assert sent.status_code == 302
    empty = client.post(
        f"/homework/occurrences/{occurrence_id}/feedback",
        data={"prompt_key": "", "audience": "both", "body": ""},
    )
    assert empty.status_code == 422 and "Write the feedback first." in _text(empty)
    # The long review page starts with the error summary linking to the feedback box, and
    # reloading the address the form posted to shows the review page, not a 405.
    summary = _text(empty).split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Write the feedback first.</a>" in summary and 'href="#' in summary
    again = client.get(f"/homework/occurrences/{occurrence_id}/feedback")
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/homework/occurrences/{occurrence_id}/review")
    assert "FHIR" not in html and "Download these answers as a data file" in html
    reviewed = client.post(f"/homework/occurrences/{occurrence_id}/reviewed", follow_redirects=True)
    assert "Marked as reviewed." in _text(reviewed)
    with app.app_context():
        assert db.session.scalar(select(Feedback.audience)) == "A"
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"homework.review_view", "homework.feedback", "homework.review"} <= actions


def test_return_for_more_and_release_from_the_review_page(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    with app.app_context():
        occurrence = db.session.get(Occurrence, occurrence_id)
        response = submit(db.session.get(User, site.ids["a"]), occurrence, answers("A")).response
        response_id = response.id
        db.session.commit()
    client = as_user(site.therapist)
    no_note = client.post(f"/homework/responses/{response_id}/return", data={"note": ""})
    assert no_note.status_code == 422 and "needs a note" in _text(no_note)
    released = client.post(f"/homework/responses/{response_id}/release", follow_redirects=True)
    assert "Released." in _text(released)
    returned = client.post(
        f"/homework/responses/{response_id}/return",
        data={"note": "Tell me more"},
        follow_redirects=True,
    )
    assert "Returned with your note" in _text(returned)
    partner_page = _text(as_user(site.a).get(f"/homework/{occurrence_id}"))
    assert "Tell me more" in partner_page and "returned this to you" in partner_page


def test_fhir_downloads(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    with app.app_context():
        occurrence = db.session.get(Occurrence, occurrence_id)
        response = submit(db.session.get(User, site.ids["a"]), occurrence, answers("A")).response
        response_id, version_id = (
            response.id,
            db.session.get(Assignment, occurrence.assignment_id).version_id,
        )
        db.session.commit()
    client = as_user(site.therapist)
    questionnaire = client.get(f"/homework/versions/{version_id}/questionnaire.json")
    assert questionnaire.status_code == 200
    assert questionnaire.headers["Content-Type"].startswith("application/fhir+json")
    assert questionnaire.json["resourceType"] == "Questionnaire"
    qr = client.get(f"/homework/responses/{response_id}/questionnaire-response.json").json
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert {item["linkId"] for item in qr["item"]} >= {"private", "close"}


def test_caseload_and_couple_page_show_homework_counts(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    with app.app_context():
        submit(
            db.session.get(User, site.ids["a"]),
            db.session.get(Occurrence, occurrence_id),
            answers("A"),
        )
        db.session.commit()
    client = as_user(site.therapist)
    assert "1 to review · 0 overdue" in _text(client.get("/couples"))
    couple_page = _text(client.get(f"/homework/couples/{site.couple_id}"))
    assert "1 to review · 0 overdue" in couple_page and "Test exercise" in couple_page
    overview = _text(client.get(f"/couples/{site.couple_id}"))
    assert f'href="/homework/couples/{site.couple_id}">Homework</a>' in overview  # the tab
    assert "1 to review" in overview
    queue = _text(client.get("/homework/review"))
    assert "Test exercise" in queue and "Couple C" in queue
