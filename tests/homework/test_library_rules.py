"""What the library loader refuses, and the families and exercises the shipped library must have.

Every refusal names the file and the field, so whoever edits a definition knows what to fix; the
commands that load the library print that message instead of a traceback and change nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.homework.helpers import page_text
from tests.homework.test_library import GOOD_TOML
from therapy_portal.extensions import db
from therapy_portal.homework import library, services
from therapy_portal.homework.library import (
    FAMILIES,
    FAMILY_DESCRIPTIONS,
    LibraryError,
    get_builtin_template,
    load_builtin_templates,
    parse_template,
)
from therapy_portal.models.homework import ExerciseTemplate
from therapy_portal.models.vocabulary import Visibility

TEMPLATES = load_builtin_templates()
NEW_FAMILIES = ("values", "intimacy")
PRIVATE = {Visibility.THERAPIST_ONLY, Visibility.RELEASED_BY_THERAPIST}
SECOND_PROMPT = """
[[prompts]]
key = "why"
type = "long_text"
label = "Why"
visibility = "therapist_only"
"""


def refusal(text: str) -> str:
    with pytest.raises(LibraryError) as excinfo:
        parse_template(text, "tiny.toml")
    message = str(excinfo.value)
    assert message.startswith("tiny.toml: ")
    return message


def test_a_duplicate_key_names_its_table_and_line() -> None:
    text = GOOD_TOML.replace('label = "What I did"', 'label = "What I did"\nlabel = "Twice"')
    assert refusal(text).endswith("key 'label' is set twice in [[prompts]] (line 18)")


def test_two_prompts_with_the_same_key_are_refused() -> None:
    text = GOOD_TOML + SECOND_PROMPT.replace('key = "why"', 'key = "what"')
    assert "Prompt 2 ('what'): duplicate key, already used by prompt 1" in refusal(text)


def test_only_the_prompt_without_visibility_is_named() -> None:
    text = GOOD_TOML + SECOND_PROMPT.replace('visibility = "therapist_only"\n', "")
    message = refusal(text)
    assert "Prompt 2 ('why'): 'visibility' must be stated" in message
    assert "Prompt 1" not in message


def test_a_multi_line_text_is_not_mistaken_for_keys() -> None:
    text = GOOD_TOML.replace(
        'instructions = "Do a small thing. Then write it down."',
        'instructions = """\\\ntitle = not a key.\nThen write it down."""',
    )
    assert parse_template(text, "tiny.toml").instructions.startswith("title = not a key")


def test_every_shipped_file_states_every_prompt_visibility_itself() -> None:
    folder = files("therapy_portal.homework").joinpath("library")
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            raw = tomllib.loads(entry.read_text(encoding="utf-8"))
            assert all("visibility" in p for p in raw["prompts"]), entry.name
            assert re.search(r"\((19|20)\d\d\)", raw["reference"]), entry.name


def test_new_families_have_labels_descriptions_and_two_exercises_each() -> None:
    counts = Counter(t.family for t in TEMPLATES)
    assert set(FAMILY_DESCRIPTIONS) == set(FAMILIES)
    assert FAMILIES["values"] == "Values & life goals"
    assert FAMILIES["intimacy"] == "Physical affection & intimacy"
    for family in NEW_FAMILIES:
        assert counts[family] >= 2, family


def test_intimacy_answers_are_private_by_default() -> None:
    intimacy = [t for t in TEMPLATES if t.family == "intimacy"]
    assert intimacy
    for template in intimacy:
        assert {p["visibility"] for p in template.prompts} <= PRIVATE, template.slug
        assert template.caution, template.slug


def test_intimacy_does_not_assume_sex() -> None:
    for template in (t for t in TEMPLATES if t.family == "intimacy"):
        text = " ".join((template.instructions, template.therapist_looks_for)).lower()
        assert "may or may not include sex" in text or "little or no sexual" in text
        assert "asexual" in (template.rationale + template.therapist_looks_for).lower()
    menu = get_builtin_template("our-closeness-menu")
    not_for_me = next(p for p in menu.prompts if p["key"] == "not_for_me")
    assert "Sexual intimacy" in not_for_me["options"] and not not_for_me.get("required", True)


def test_values_map_covers_the_five_areas_and_compares_after_both() -> None:
    template = get_builtin_template("where-we-stand")
    labels = " ".join(p["label"] for p in template.prompts).lower()
    for area in ("organisation", "life goals", "moral values", "political", "lifestyle"):
        assert area in labels
    shared = [p for p in template.prompts if p["visibility"] == Visibility.SHARED_AFTER_BOTH]
    assert len(shared) == len(template.prompts) - 1


@pytest.mark.parametrize(
    ("slug", "family"),
    [
        ("affection-their-way", "gratitude"),
        ("praise-to-others", "gratitude"),
        ("eyes-and-touch", "gratitude"),
        ("listen-to-understand", "communicate"),
        ("our-next-adventure", "grow_together"),
        ("friends-as-a-couple", "grow_together"),
    ],
)
def test_the_named_practices_sit_in_existing_families(slug: str, family: str) -> None:
    assert get_builtin_template(slug).family == family


def test_love_languages_are_called_popular_not_research() -> None:
    template = get_builtin_template("affection-their-way")
    assert "popular book, not from research" in template.rationale
    assert "Chapman" in template.reference and "Impett" in template.reference


def _broken_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "tiny.toml").write_text(GOOD_TOML.replace('reference = "Someone (2000)."', ""))
    monkeypatch.setattr(library, "_library_files", lambda: sorted(folder.iterdir()))


def test_load_library_command_reports_a_bad_file_without_a_traceback(
    app, runner, tmp_path, monkeypatch
):
    _broken_library(tmp_path, monkeypatch)
    result = runner.invoke(args=["homework", "load-library"])
    assert result.exit_code == 1
    assert "Error: Exercise library not loaded, nothing changed." in result.output
    assert "tiny.toml: missing key(s): reference" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExerciseTemplate)) == 0


def test_seed_demo_reports_a_bad_library_file(app, runner, tmp_path, monkeypatch):
    _broken_library(tmp_path, monkeypatch)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "Demo practice not loaded" in result.output and "tiny.toml" in result.output
    assert "Traceback" not in result.output


def test_library_page_describes_a_new_family(app, site, as_user, count_queries):
    with app.app_context():
        services.load_library()
        db.session.commit()
    client = as_user(site.therapist)
    client.get("/homework/library")
    with count_queries() as queries:
        response = client.get("/homework/library?family=intimacy")
    html = page_text(response)
    assert "Physical affection &amp; intimacy: Touch, closeness" in response.get_data(as_text=True)
    assert "Our closeness menu" in html and "Feeling wanted" in html
    assert "Where we stand" not in html
    assert queries.count <= 6, queries.statements
    values = page_text(client.get("/homework/library?family=values"))
    assert "Where we stand" in values and "The dream behind a difference" in values


def test_docs_list_every_exercise() -> None:
    text = (Path(__file__).parents[2] / "docs" / "exercises.md").read_text(encoding="utf-8")
    for template in TEMPLATES:
        assert f"| {template.title} | `{template.slug}` |" in text, template.slug
    for label in FAMILIES.values():
        assert f"### {label}" in text
