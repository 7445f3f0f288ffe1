"""Every homework page has one <h1>, a <title>, and a visible label for every field."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.homework.factories import answers, submit
from tests.homework.helpers import new_occurrence
from therapy_portal.extensions import db
from therapy_portal.homework import services
from therapy_portal.models import AuditEvent, User
from therapy_portal.models.homework import Assignment, ExerciseVersion, Occurrence

FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>")


def _check(html: str, url: str) -> None:
    assert html.count("<h1") == 1, url
    assert re.search(r"<title>[^<]+</title>", html), url
    for _tag, attrs in FIELD.findall(html):
        if re.search(r'type="(hidden|submit|button)"', attrs) or 'aria-hidden="true"' in attrs:
            continue
        field_id = re.search(r'id="([^"]+)"', attrs)
        assert field_id, f"{url}: field without id: {attrs}"
        assert f'for="{field_id.group(1)}"' in html, f"{url}: no label for {field_id.group(1)}"


def test_homework_pages_are_structured_and_labelled(app, site, as_user):
    with app.app_context():
        services.load_library()
        db.session.commit()
    occurrence_id = new_occurrence(app, site, cadence="weekly", due_in=0, ends_in=14)
    with app.app_context():
        occurrence = db.session.get(Occurrence, occurrence_id)
        submit(db.session.get(User, site.ids["b"]), occurrence, answers("B"))
        assignment_id = occurrence.assignment_id
        version_id = db.session.get(Assignment, assignment_id).version_id
        template_id = db.session.get(ExerciseVersion, version_id).template_id
        db.session.commit()
    therapist_urls = [
        "/homework/library",
        f"/homework/templates/{template_id}",
        f"/homework/templates/{template_id}/edit",
        "/homework/templates/new",
        f"/homework/versions/{version_id}/preview",
        f"/homework/couples/{site.couple_id}",
        f"/homework/couples/{site.couple_id}/assign",
        f"/homework/couples/{site.couple_id}/assign?template_id={template_id}",
        f"/homework/assignments/{assignment_id}",
        "/homework/review",
        f"/homework/occurrences/{occurrence_id}/review",
    ]
    client = as_user(site.therapist)
    for url in therapist_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response.get_data(as_text=True), url)
    client = as_user(site.a)
    for url in ["/home", f"/homework/{occurrence_id}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response.get_data(as_text=True), url)


def test_viewing_the_partners_answers_is_audited_only_when_something_is_shown(app, site, as_user):
    occurrence_id = new_occurrence(app, site)
    client = as_user(site.b)
    client.get(f"/homework/{occurrence_id}")
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent).where(AuditEvent.action == "homework.view_partner_answers")
            )
            is None
        )
        occurrence = db.session.get(Occurrence, occurrence_id)
        submit(db.session.get(User, site.ids["a"]), occurrence, answers("A"))
        submit(db.session.get(User, site.ids["b"]), occurrence, answers("B"))
        db.session.commit()
    client.get(f"/homework/{occurrence_id}")
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "homework.view_partner_answers")
        )
        assert event is not None and event.actor_id == site.ids["b"]
        assert event.detail == {"occurrence_id": occurrence_id}
