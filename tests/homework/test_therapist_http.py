"""The therapist's pages over HTTP: library, builder, assigning, review, counts on the caseload."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.homework.helpers import page_text as _text
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models.homework import ExerciseTemplate


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
    from therapy_portal.homework.builder_forms import prompt_rows_from

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
