"""Built-in exercises in Spanish: complete translations, the loader's checks, storage with the
version, and what a Spanish partner (and their therapist) reads."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.homework.factories import assign
from tests.homework.test_library import GOOD_TOML
from therapy_portal.extensions import db
from therapy_portal.homework import exercise_text, library, services
from therapy_portal.homework.library import LibraryError, load_builtin_templates, parse_template
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import (
    ExerciseTemplate,
    ExerciseVersion,
    Occurrence,
    Response,
)

CHOICE_TOML = (
    GOOD_TOML
    + """
[[prompts]]
key = "how"
type = "single_choice"
label = "How it went"
options = ["Well", "Badly"]
visibility = "shared_after_both"
"""
)
SPANISH = """
[translations.es]
title = "Diminuto"
summary = "Una línea."
instructions = "Haz algo pequeño. Luego escríbelo."

[translations.es.prompts.what]
label = "Lo que hice"

[translations.es.prompts.how]
label = "Cómo fue"
options = ["Bien", "Mal"]
"""


# -- every built-in exercise ------------------------------------------------------------------


def test_every_built_in_exercise_has_a_complete_spanish_translation() -> None:
    for template in load_builtin_templates():
        spanish = template.translations.get("es")
        assert spanish, f"{template.slug} has no Spanish translation"
        assert spanish["title"] != template.title and spanish["instructions"]
        given = spanish["prompts"]
        assert list(given) == [p["key"] for p in template.prompts], template.slug
        for prompt in template.prompts:
            text = given[prompt["key"]]
            assert text["label"].strip(), (template.slug, prompt["key"])
            for name in ("help", "min_label", "max_label", "unit"):
                assert (name in prompt) == (name in text), (template.slug, prompt["key"], name)
            if "options" in prompt:
                assert len(text["options"]) == len(prompt["options"]), template.slug


# -- the loader's rules -----------------------------------------------------------------------


def test_a_complete_translation_loads_with_the_template() -> None:
    template = parse_template(CHOICE_TOML + SPANISH, "tiny.toml")
    assert template.translations["es"]["prompts"]["how"]["options"] == ["Bien", "Mal"]
    assert template.translations["es"]["title"] == "Diminuto"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace('[translations.es.prompts.what]\nlabel = "Lo que hice"\n', ""),
            r"translations\.es\.prompts: no translation for prompt\(s\): what",
        ),
        (
            lambda t: t + '\n[translations.es.prompts.who]\nlabel = "Quién"\n',
            r"translations\.es\.prompts: unknown prompt key\(s\): who",
        ),
        (
            lambda t: t.replace('label = "Lo que hice"', 'label = "Lo que hice"\nhint = "x"'),
            r"translations\.es\.prompts\.what: unknown key\(s\): hint",
        ),
        (
            lambda t: t.replace('title = "Diminuto"', 'title = "Diminuto"\nrationale = "x"'),
            r"translations\.es: unknown key\(s\): rationale",
        ),
        (
            lambda t: t.replace('["Bien", "Mal"]', '["Bien", "Mal", "Regular"]'),
            r"translations\.es\.prompts\.how\.options: 3 given, but the English prompt has 2",
        ),
        (
            lambda t: t.replace('options = ["Bien", "Mal"]\n', ""),
            r"translations\.es\.prompts\.how\.options: must be a list of 2 texts",
        ),
        (
            lambda t: t.replace('summary = "Una línea."\n', ""),
            r"translations\.es\.summary: missing or empty",
        ),
        (
            lambda t: t.replace("[translations.es", "[translations.fr"),
            r"translations\.fr: unknown language 'fr'",
        ),
        (
            lambda t: t.replace('label = "Cómo fue"', f'label = "{"x" * 301}"'),
            r"translations\.es\.prompts: Prompt 2 \('how'\): The label is longer than 300",
        ),
    ],
)
def test_the_loader_refuses_an_incomplete_or_unknown_translation(change, message) -> None:
    with pytest.raises(LibraryError, match=r"^tiny\.toml: .*" + message):
        parse_template(change(CHOICE_TOML + SPANISH), "tiny.toml")


def test_a_translation_problem_is_a_clear_command_error_not_a_traceback(
    app, runner, tmp_path, monkeypatch
):
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "tiny.toml").write_text(
        CHOICE_TOML + SPANISH.replace('"Bien", "Mal"', '"Bien"'), encoding="utf-8"
    )
    monkeypatch.setattr(library, "_library_files", lambda: sorted(folder.iterdir()))
    result = runner.invoke(args=["homework", "load-library"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "tiny.toml: translations.es.prompts.how.options: 1 given" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExerciseTemplate)) == 0


def test_translations_are_stored_with_the_version_and_a_change_makes_a_new_one(
    app, tmp_path, monkeypatch
):
    folder = tmp_path / "library"
    folder.mkdir()
    monkeypatch.setattr(library, "_library_files", lambda: sorted(folder.iterdir()))
    (folder / "tiny.toml").write_text(CHOICE_TOML, encoding="utf-8")
    with app.app_context():
        assert services.load_library()["created"] == 1
        (folder / "tiny.toml").write_text(CHOICE_TOML + SPANISH, encoding="utf-8")
        assert services.load_library() == {"created": 0, "updated": 1, "unchanged": 0}
        assert services.load_library()["unchanged"] == 1
        (folder / "tiny.toml").write_text(
            CHOICE_TOML + SPANISH.replace("Diminuto", "Pequeñito"), encoding="utf-8"
        )
        assert services.load_library()["updated"] == 1
        versions = db.session.scalars(select(ExerciseVersion).order_by(ExerciseVersion.number))
        assert [v.translations.get("es", {}).get("title") for v in versions] == [
            None,
            "Diminuto",
            "Pequeñito",
        ]


def test_english_is_the_fallback_for_a_version_without_the_language() -> None:
    class Version:
        title, summary, instructions = "T", "S", "I"
        prompts = [{"key": "k", "type": "short_text", "label": "L"}]
        translations = None

    text = exercise_text.for_person(Version(), type("P", (), {"locale": "es"})())
    assert (text.language, text.title, text.prompts[0]["label"]) == ("en", "T", "L")


# -- a Spanish partner, their PDF copy and their therapist -------------------------------------


def _built_in_homework(app, site, slug: str = "good-news") -> int:
    """The built-in `slug` assigned to the site couple; partner A reads Spanish."""
    with app.app_context():
        services.load_library()
        therapist = db.session.get(User, site.ids["therapist"])
        template = db.session.scalar(select(ExerciseTemplate).where(ExerciseTemplate.slug == slug))
        version = services.latest_version(template)
        assignment = assign(therapist, db.session.get(Couple, site.couple_id), version)
        db.session.get(User, site.ids["a"]).locale = "es"
        occurrence_id = db.session.scalar(
            select(Occurrence.id).where(Occurrence.assignment_id == assignment.id)
        )
        db.session.commit()
        return occurrence_id


def _field(page: bytes, name: str) -> str:
    return re.search(rb'name="' + name.encode() + rb'"[^>]*value="([^"]*)"', page).group(1).decode()


def _submit(client, occurrence_id: int):
    page = client.get(f"/homework/{occurrence_id}").data
    return client.post(
        f"/homework/{occurrence_id}",
        data={
            "p_partner_shared": "yes",
            "p_the_news": "Un ascenso",
            "p_my_response": "With enthusiasm and questions",
            "p_partner_afterwards": "5",
            "p_i_shared": "no",
            "version": _field(page, "version"),
            "idempotency_key": _field(page, "idempotency_key"),
            "action": "submit",
        },
    )


def test_a_spanish_partner_answers_in_spanish_and_the_choice_is_stored_in_english(
    app, site, as_user
):
    occurrence_id = _built_in_homework(app, site)
    client = as_user(site.a)
    html = unescape(client.get(f"/homework/{occurrence_id}").get_data(as_text=True))
    assert "<h1>Responder a las buenas noticias</h1>" in html
    assert "Cuando tu pareja te cuente algo bueno" in html
    assert "¿Mi pareja me contó hoy alguna buena noticia?" in html
    assert "Con entusiasmo y preguntas" in html  # the option's label …
    assert 'value="With enthusiasm and questions"' in html  # … and its stored value
    assert "Apagada o dolida" in html
    assert "Responding to good news" not in html and "How I responded" not in html

    assert _submit(client, occurrence_id).status_code == 302
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.author_label == "A"))
        assert response.answers["my_response"] == "With enthusiasm and questions"
    shown = unescape(client.get(f"/homework/{occurrence_id}").get_data(as_text=True))
    assert "Con entusiasmo y preguntas" in shown  # the submitted answer reads in Spanish

    pdf = client.get(f"/homework/{occurrence_id}/my-answer.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).replace(
        "\n", " "
    )
    assert "Responder a las buenas noticias" in text
    assert "Cómo respondí" in text and "Con entusiasmo y preguntas" in text
    assert "How I responded" not in text

    home = unescape(client.get("/home").get_data(as_text=True))
    assert "Responder a las buenas noticias" in home


def test_the_therapist_reads_english_with_a_note_and_the_other_partner_english(app, site, as_user):
    occurrence_id = _built_in_homework(app, site)
    assert _submit(as_user(site.a), occurrence_id).status_code == 302
    review = unescape(
        as_user(site.therapist)
        .get(f"/homework/occurrences/{occurrence_id}/review")
        .get_data(as_text=True)
    )
    assert "Review Responding to good news" in review and "How I responded" in review
    assert "With enthusiasm and questions" in review
    assert "Answered in Spanish" in review and "Responder a las buenas" not in review
    english = unescape(as_user(site.b).get(f"/homework/{occurrence_id}").get_data(as_text=True))
    assert "<h1>Responding to good news</h1>" in english and "How I responded" in english
    assert "Answered in Spanish" not in english
