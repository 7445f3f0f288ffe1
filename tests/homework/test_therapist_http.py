"""The therapist's pages over HTTP: library, builder, assigning, review, counts on the caseload."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.homework.factories import answers, submit
from tests.homework.helpers import new_occurrence
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models import AuditEvent, User
from therapy_portal.models.homework import Assignment, ExerciseTemplate, Feedback, Occurrence


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _load_library(app) -> None:
    with app.app_context():
        services.load_library()
        db.session.commit()


def _builtin_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(ExerciseTemplate.id).where(ExerciseTemplate.slug == slug))


def test_library_lists_built_ins_with_a_family_filter(app, site, as_user):
    _load_library(app)
    client = as_user(site.therapist)
    html = _text(client.get("/homework/library"))
    assert "Daily appreciation log" in html and "Solo time" in html.replace("solo", "Solo")
    filtered = _text(client.get("/homework/library?family=time_apart"))
    assert "Daily appreciation log" not in filtered


def test_library_empty_state_explains_how_to_load(app, site, as_user):
    html = _text(as_user(site.therapist).get("/homework/library"))
    assert "flask homework load-library" in html


def test_template_page_shows_rationale_and_reference(app, site, as_user):
    _load_library(app)
    html = _text(
        as_user(site.therapist).get(
            f"/homework/templates/{_builtin_id(app, 'daily-appreciation-log')}"
        )
    )
    assert "Why it helps" in html and "Algoe" in html and "Copy into my practice" in html


def test_copy_a_built_in_then_edit_makes_a_new_version(app, site, as_user):
    _load_library(app)
    client = as_user(site.therapist)
    builtin = _builtin_id(app, "daily-appreciation-log")
    copied = client.post(f"/homework/templates/{builtin}/copy")
    edit_url = copied.headers["Location"]
    form = client.get(edit_url)
    assert form.status_code == 200 and "Save new version" in _text(form)
    with app.app_context():
        copy = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.copied_from_id == builtin)
        )
        version = services.latest_version(copy)
        data = _builder_data(version, title="Our appreciation log")
    saved = client.post(edit_url, data=data)
    assert saved.status_code == 302
    with app.app_context():
        copy = db.session.get(ExerciseTemplate, copy.id)
        assert copy.latest_number == 2 and copy.title == "Our appreciation log"
        builtin_row = db.session.get(ExerciseTemplate, builtin)
        assert builtin_row.latest_number == 1


def test_built_ins_cannot_be_edited_directly(app, site, as_user):
    _load_library(app)
    builtin = _builtin_id(app, "daily-appreciation-log")
    response = as_user(site.therapist).get(f"/homework/templates/{builtin}/edit")
    assert response.status_code == 302


def _builder_data(version=None, title="Built here", prompts=None, **extra) -> MultiDict:
    from therapy_portal.homework.forms import prompt_rows_from

    base = {
        "title": title,
        "family": "gratitude",
        "instructions": "Do it.",
        "default_mode": "each_partner",
        "default_cadence": "once",
        "suggested_duration_days": "7",
        "add_type": "long_text",
    } | extra
    data = list(base.items())
    rows = prompt_rows_from(version.prompts) if version is not None else (prompts or [])
    for i, row in enumerate(rows):
        for name, value in row.items():
            if value is None or value is False:
                continue
            data.append((f"prompts-{i}-{name}", "y" if value is True else str(value)))
    return MultiDict(data)


def test_builder_adds_moves_previews_and_removes_prompts(app, site, as_user):
    client = as_user(site.therapist)
    page = client.post(
        "/homework/templates/new", data=_builder_data(action="add", add_type="scale")
    )
    html = _text(page)
    assert page.status_code == 200 and "Prompt 1: Scale" in html
    rows = [
        {
            "key": "q1",
            "type": "scale",
            "label": "How close?",
            "required": True,
            "visibility": "shared_after_both",
            "scale_min": "1",
            "scale_max": "5",
            "min_label": "Far",
            "max_label": "Close",
        },
        {
            "key": "q2",
            "type": "checklist",
            "label": "Which ones?",
            "required": True,
            "visibility": "therapist_only",
            "options": "Words\nTime",
        },
    ]
    moved = _text(
        client.post("/homework/templates/new", data=_builder_data(prompts=rows, action="down-0"))
    )
    assert moved.index("Which ones?") < moved.index("How close?")
    preview = _text(
        client.post("/homework/templates/new", data=_builder_data(prompts=rows, action="preview"))
    )
    assert "Exactly what a partner sees" in preview
    assert "From 1 = Far, 5 = Close." in preview
    assert "Only your therapist will see this answer." in preview
    removed = _text(
        client.post("/homework/templates/new", data=_builder_data(prompts=rows, action="remove-1"))
    )
    assert "Which ones?" not in removed
    saved = client.post("/homework/templates/new", data=_builder_data(prompts=rows, action="save"))
    assert saved.status_code == 302
    with app.app_context():
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.title == "Built here")
        )
        version = services.latest_version(template)
        assert [p["type"] for p in version.prompts] == ["scale", "checklist"]
        assert version.prompts[0]["min"] == 1 and version.prompts[1]["options"] == ["Words", "Time"]


def test_template_with_no_prompts_gets_a_clear_message_and_keeps_input(app, site, as_user):
    response = as_user(site.therapist).post(
        "/homework/templates/new", data=_builder_data(title="Nothing to answer yet", action="save")
    )
    html = _text(response)
    assert response.status_code == 422
    assert "A template needs at least one prompt." in html
    assert "Nothing to answer yet" in html


def test_builder_reports_bad_prompt_settings(app, site, as_user):
    rows = [
        {
            "key": "q1",
            "type": "single_choice",
            "label": "Pick",
            "required": True,
            "visibility": "therapist_only",
            "options": "Only one",
        }
    ]
    html = _text(
        as_user(site.therapist).post(
            "/homework/templates/new", data=_builder_data(prompts=rows, action="save")
        )
    )
    assert "at least two options" in html


def _assign_data(version, **overrides) -> MultiDict:
    data = {
        "mode": "each_partner",
        "due_on": (date.today() + timedelta(days=3)).isoformat(),
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
            version, due_on=(date.today() - timedelta(days=3)).isoformat(), note="Keep me"
        ),
    )
    assert past.status_code == 422 and "can't be in the past" in _text(past)
    assert "Keep me" in _text(past)
    no_end = client.post(url, data=_assign_data(version, cadence="daily"))
    assert no_end.status_code == 422 and "needs an end date" in _text(no_end)
    too_many = client.post(
        url,
        data=_assign_data(
            version, cadence="daily", ends_on=(date.today() + timedelta(days=200)).isoformat()
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
        data={"due_on": (date.today() - timedelta(days=9)).isoformat()},
        follow_redirects=True,
    )
    assert "can't be in the past" in _text(past)
    extended = client.post(
        f"/homework/assignments/{assignment_id}/extend",
        data={"ends_on": (date.today() + timedelta(days=22)).isoformat()},
        follow_redirects=True,
    )
    assert "Extended" in _text(extended)
    cancelled = client.post(f"/homework/assignments/{assignment_id}/cancel", follow_redirects=True)
    assert "Cancelled. The partners see it as cancelled" in _text(cancelled)
    again = client.post(f"/homework/assignments/{assignment_id}/cancel", follow_redirects=True)
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
    assert "Homework for this couple" in _text(client.get(f"/couples/{site.couple_id}"))
    queue = _text(client.get("/homework/review"))
    assert "Test exercise" in queue and "Couple C" in queue
