"""Staff pages in Spanish: a therapist or admin whose `User.locale` is "es" reads Spanish on
Today, the caseload, a couple's overview, the review queue, the notes, the week and an admin page;
and no staff template still holds visible English outside the translation markers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import login
from tests.homework import factories as hw
from therapy_portal.extensions import db
from therapy_portal.models import Couple, User

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The staff pages (issue 15, item 5). Partner, shared and email templates belong to other lists.
STAFF_TEMPLATES = [
    "admin/audit.html",
    "admin/care_team.html",
    "admin/couples.html",
    "admin/emergency.html",
    "admin/partners.html",
    "admin/reassign.html",
    "admin/security.html",
    "admin/settings.html",
    "admin/therapists.html",
    "caseload/_tabs.html",
    "caseload/access_log.html",
    "caseload/add_partner.html",
    "caseload/detail.html",
    "caseload/form.html",
    "caseload/index.html",
    "today/index.html",
    "homework/assign.html",
    "homework/assign_choose.html",
    "homework/assignment.html",
    "homework/builder.html",
    "homework/couple.html",
    "homework/library.html",
    "homework/preview.html",
    "homework/_preview_body.html",
    "homework/queue.html",
    "homework/review.html",
    "homework/template_detail.html",
    "measures/progress.html",
    "measures/response.html",
    "measures/schedule.html",
    "measures/dismiss_outcome.html",
    "measures/_safety_alerts.html",
    "notes/_facts_fields.html",
    "notes/copy_preview.html",
    "notes/detail.html",
    "notes/edit.html",
    "notes/export_range.html",
    "notes/export_status.html",
    "notes/index.html",
    "notes/new.html",
    "notes/private_note.html",
    "notes/private_notes.html",
    "notes/records.html",
    "plans/_progress.html",
    "plans/edit.html",
    "plans/none.html",
    "plans/version.html",
    "supervision/_comments.html",
    "supervision/_status.html",
    "supervision/note.html",
    "supervision/people.html",
    "supervision/plan.html",
    "supervision/queue.html",
    "appointments/couple.html",
    "appointments/detail.html",
    "appointments/edit.html",
    "appointments/new.html",
    "appointments/week.html",
    "appointments/_session_fields.html",
    "messages/couple.html",
    "messages/inbox.html",
    "consents/_status.html",
    "consents/admin_edit.html",
    "consents/admin_index.html",
    "devmail/mailbox.html",
]

_TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
_RAW = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&#?\w+;")
_TEXT_ATTR = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
# A string literal that reaches the page from an expression: `'Words' if …`, `or 'Words'`, or a
# button's label given to `action_button(…, 'Words', …)`.
_SHOWN_LITERAL = re.compile(
    r"""\{\{[^}]*?(?:\{\{\s*|\bor\s+|\belse\s+|action_button\([^,]+,\s*)(?<!_\()'([A-Z][^']*)'"""
)


def _unmarked(source: str) -> list[str]:
    """Visible English in a template that is not inside `_()`/`gettext` or a trans block."""
    found = [m.group(1) for m in _TEXT_ATTR.finditer(source) if re.search("[A-Za-z]", m.group(1))]
    found = [text for text in found if "{{" not in text]
    found += _SHOWN_LITERAL.findall(source)
    text = _RAW.sub(" ", _TRANS_BLOCK.sub(" ", source))
    text = _TAG.sub(" ", _JINJA.sub(" ", text))
    text = _ENTITY.sub(" ", text)
    found += [
        chunk.strip() for chunk in re.split(r"\s{2,}|\n", text) if re.search("[A-Za-z]", chunk)
    ]
    return found


@pytest.mark.parametrize("name", STAFF_TEMPLATES)
def test_staff_template_has_no_unmarked_english(name):
    assert _unmarked((TEMPLATES / name).read_text()) == []


def test_the_check_finds_unmarked_text():
    sample = (
        '<h1>Today</h1><p title="Plain words">{{ _("Marked") }}</p>'
        "{% trans n=1 %}Also {{ n }} marked{% endtrans %}{{ x or 'Nothing written.' }}"
    )
    assert _unmarked(sample) == ["Plain words", "Nothing written.", "Today"]


def _spanish(app, world, *keys: str) -> None:
    with app.app_context():
        for key in keys:
            db.session.get(User, world.ids[key]).locale = "es"
        db.session.commit()


@pytest.fixture
def therapist_es(app, client, world):
    _spanish(app, world, "therapist")
    login(client, world.emails["therapist"])
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_today_is_in_spanish(therapist_es):
    page = _page(therapist_es, "/today")
    assert "<h1>Hoy</h1>" in page
    assert "Alertas de seguridad abiertas" in page
    assert "Buscar una pareja" in page
    assert "Todas las notas están firmadas." in page
    assert "Find a couple" not in page and "Open safety alerts" not in page


def test_caseload_and_couple_overview_are_in_spanish(therapist_es, world):
    caseload = _page(therapist_es, "/couples")
    assert "Añadir una pareja" in caseload and "Add a couple" not in caseload
    overview = _page(therapist_es, f"/couples/{world.couple_ids['c1']}")
    assert "Editar pareja" in overview
    assert "Últimas puntuaciones de seguimiento" in overview
    assert "Asignar tarea" in overview
    assert "Latest check-in scores" not in overview and "Edit couple" not in overview


def test_review_queue_notes_and_week_are_in_spanish(therapist_es):
    queue = _page(therapist_es, "/homework/review")
    assert "Enviada, aún sin revisar" in queue and "Submitted, not yet reviewed" not in queue
    notes = _page(therapist_es, "/notes")
    assert "Notas de sesión" in notes and "Export notes by date range" not in notes
    week = _page(therapist_es, "/schedule")
    assert "Semana anterior" in week and "Esta semana" in week
    assert "Las horas están en la zona horaria de la consulta." in week
    assert "Previous week" not in week


def test_an_admin_page_is_in_spanish(app, client, world):
    _spanish(app, world, "admin")
    login(client, world.emails["admin"])
    page = _page(client, "/admin/therapists")
    assert "Terapeutas y personal" in page and "Invitar a un terapeuta" in page
    assert "Therapists and staff" not in page


def test_the_same_pages_stay_english_for_an_english_therapist(client, world):
    login(client, world.emails["therapist"])
    page = _page(client, "/today")
    assert "<h1>Today</h1>" in page and "Find a couple" in page


REVIEW_PROMPTS = [
    {
        "key": "well",
        "type": "long_text",
        "label": "What went well this week",
        "visibility": "shared_after_both",
        "max_length": 500,
    },
    {
        "key": "minutes",
        "type": "number",
        "label": "Minutes you talked",
        "min": 0,
        "max": 600,
        "visibility": "shared_after_both",
    },
]


def test_the_review_page_with_both_answers_is_in_spanish(app, therapist_es, world):
    """The side-by-side review page in Spanish, with a gap that is not a whole number: Spanish
    plural rules need an integer count, and a float once made this page a 500."""
    with app.app_context():
        therapist = db.session.get(User, world.ids["therapist"])
        couple = db.session.get(Couple, world.couple_ids["c1"])
        version = hw.make_version(therapist, REVIEW_PROMPTS, title="Three good things")
        occurrence = hw.first_occurrence(hw.assign(therapist, couple, version))
        for who, minutes in (("partner_a", "10"), ("partner_b", "12.5")):
            partner = db.session.get(User, world.ids[who])
            hw.submit(partner, occurrence, {"p_well": ["A walk"], "p_minutes": [minutes]})
        db.session.commit()
        occurrence_id = occurrence.id
    page = _page(therapist_es, f"/homework/occurrences/{occurrence_id}/review")
    assert "Enviada" in page and "Submitted" not in page
    assert "2,5 puntos de diferencia." in page
