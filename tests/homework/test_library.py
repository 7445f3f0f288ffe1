"""The built-in exercise library: every template loads, validates and can be answered."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from therapy_portal.homework import library
from therapy_portal.homework.library import (
    FAMILIES,
    BuiltinTemplate,
    LibraryError,
    get_builtin_template,
    load_builtin_templates,
    parse_template,
)
from therapy_portal.homework.prompts import (
    CADENCES,
    MODES,
    PROMPT_TYPES,
    VISIBILITIES,
    build_answer_form_class,
    collect_answers,
    get_prompt_type,
    to_fhir_answer_items,
    to_fhir_items,
    validate_prompts,
)

TEMPLATES = load_builtin_templates()

GOOD_TOML = """
slug = "tiny"
family = "gratitude"
title = "Tiny"
summary = "One line."
instructions = "Do a small thing. Then write it down."
default_mode = "each_partner"
default_cadence = "once"
suggested_duration_days = 7
rationale = "Because."
reference = "Someone (2000)."
therapist_looks_for = "Things."

[[prompts]]
key = "what"
type = "short_text"
label = "What I did"
visibility = "shared_after_both"
"""


def sample_input(defn: dict[str, Any]) -> list[tuple[str, str]]:
    """A valid form submission for one prompt."""
    name = f"p_{defn['key']}"
    kind = defn["type"]
    if kind == "scale":
        return [(name, str(defn["max"]))]
    if kind in ("single_choice", "checklist"):
        return [(name, defn["options"][-1])]
    if kind == "yes_no":
        return [(name, "yes")]
    if kind == "date":
        return [(name, "2025-06-01")]
    if kind == "number":
        return [(name, str(defn.get("min", 0) + 1))]
    if kind == "list":
        return [(f"{name}-{i}", f"Item number {i}") for i in range(defn.get("items", 3))]
    if kind == "photos":  # the ids of photos attached (the service puts them in)
        return [(name, "photo-id-000000000001")]
    return [(name, "Something we did together.")]


def test_library_files_are_package_resources() -> None:
    folder = files("therapy_portal.homework").joinpath("library")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    assert len(names) == len(TEMPLATES) >= 15
    assert names == sorted(f"{t.slug}.toml" for t in TEMPLATES)


def test_families_and_labels() -> None:
    assert FAMILIES == {
        "reminisce": "Reminisce",
        "gratitude": "Gratitude & affection",
        "time_apart": "Spend time apart",
        "communicate": "Communicate openly",
        "grow_together": "Grow together",
        "spontaneity": "Inject spontaneity",
        "values": "Values & life goals",
        "intimacy": "Physical affection & intimacy",
    }


def test_at_least_two_templates_per_family() -> None:
    counts = Counter(t.family for t in TEMPLATES)
    assert set(counts) == set(FAMILIES)
    assert all(count >= 2 for count in counts.values()), counts


def test_templates_are_ordered_by_family() -> None:
    order = list(FAMILIES)
    assert [order.index(t.family) for t in TEMPLATES] == sorted(
        order.index(t.family) for t in TEMPLATES
    )


def test_every_prompt_type_is_used() -> None:
    used = {p["type"] for t in TEMPLATES for p in t.prompts}
    assert used == set(PROMPT_TYPES)
    scales = {(p["min"], p["max"]) for t in TEMPLATES for p in t.prompts if p["type"] == "scale"}
    assert (0, 10) in scales and (1, 5) in scales


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_template_is_complete_and_valid(template: BuiltinTemplate) -> None:
    assert validate_prompts(list(template.prompts)) == []
    assert template.default_mode in MODES
    assert template.default_cadence in CADENCES
    assert template.family_label == FAMILIES[template.family]
    for text in (
        template.title,
        template.summary,
        template.instructions,
        template.rationale,
        template.reference,
        template.therapist_looks_for,
    ):
        assert text.strip() and "  " not in text
    assert "\n" not in template.summary
    sentences = re.findall(r"[.!?](?=\s+[A-Z]|$)", template.instructions)
    assert 2 <= len(sentences) <= 5, template.instructions
    if template.default_cadence == "daily":
        assert template.suggested_duration_days in (7, 14)
    for prompt in template.prompts:
        assert prompt.get("visibility") in VISIBILITIES, prompt["key"]
    json.dumps([dict(p) for p in template.prompts])


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_template_can_be_answered_displayed_and_exported(template: BuiltinTemplate) -> None:
    prompts = list(template.prompts)
    pairs = [pair for p in prompts for pair in sample_input(p)]
    form = build_answer_form_class(prompts)(MultiDict(pairs))
    assert form.validate(), form.errors
    answers = collect_answers(prompts, form)
    json.dumps(answers)
    for defn in prompts:
        kind = get_prompt_type(defn["type"])
        assert kind.display(defn, answers[defn["key"]]) != "No answer"
        kind.compare(defn, answers[defn["key"]], answers[defn["key"]])
    json.dumps({"items": to_fhir_items(prompts), "answers": to_fhir_answer_items(prompts, answers)})


def test_joint_templates_share_at_once() -> None:
    joint = [t for t in TEMPLATES if t.default_mode == "joint"]
    assert joint
    for template in joint:
        assert {p["visibility"] for p in template.prompts} <= {"shared_at_once", "therapist_only"}


def test_thin_evidence_is_stated_honestly() -> None:
    for template in TEMPLATES:
        if template.family in ("time_apart", "spontaneity"):
            text = template.rationale.lower()
            assert any(w in text for w in ("thin", "no study", "no trial", "no direct")), text


def test_affection_template_is_a_checklist_not_a_quiz() -> None:
    template = get_builtin_template("ways-i-receive-affection")
    kinds = [p["type"] for p in template.prompts]
    assert kinds[0] == "checklist"
    assert "love language" not in template.title.lower()
    private = [p for p in template.prompts if p["visibility"] == "therapist_only"]
    assert any("touch" in p["label"].lower() for p in private)


def test_get_builtin_template_unknown_slug() -> None:
    with pytest.raises(KeyError):
        get_builtin_template("no-such-template")


def test_loading_returns_fresh_objects() -> None:
    first, second = load_builtin_templates(), load_builtin_templates()
    first[0].prompts[0]["label"] = "changed"
    assert second[0].prompts[0]["label"] != "changed"


# -- parse errors -----------------------------------------------------------------------------
def test_parse_good_template() -> None:
    template = parse_template(GOOD_TOML, "tiny.toml")
    assert template.slug == "tiny" and template.caution == ""
    assert template.prompts == ({**template.prompts[0]},)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('family = "gratitude"', 'family = "romance"'), "family must be one of"),
        (('default_mode = "each_partner"', 'default_mode = "pairs"'), "default_mode"),
        (('default_cadence = "once"', 'default_cadence = "monthly"'), "default_cadence"),
        (("suggested_duration_days = 7", "suggested_duration_days = 0"), "suggested_duration"),
        (("suggested_duration_days = 7", 'suggested_duration_days = "7"'), "suggested_duration"),
        (('rationale = "Because."\n', ""), "missing key(s): rationale"),
        (('title = "Tiny"', 'title = "Tiny"\nauthor = "me"'), "unknown key(s): author"),
        (('slug = "tiny"', 'slug = "other"'), "match the file name"),
        (('summary = "One line."', 'summary = ""'), "'summary' must be non-empty"),
        (('label = "What I did"\n', ""), "label is missing"),
        (('type = "short_text"', 'type = "scale"'), "'min' must be 0 or 1"),
        (('title = "Tiny"', "title = ["), "not valid TOML"),
        # A shipped exercise must cite its evidence and state who reads each answer.
        (('reference = "Someone (2000)."\n', ""), "missing key(s): reference"),
        (('reference = "Someone (2000)."', 'reference = "  "'), "'reference' must be non-empty"),
        (('reference = "Someone (2000)."', 'reference = "See the book."'), "'reference' must cite"),
        (('visibility = "shared_after_both"\n', ""), "Prompt 1 ('what'): 'visibility' must be"),
        (('type = "short_text"', 'type = "photo_booth"'), "unknown type 'photo_booth'"),
        (('title = "Tiny"', 'title = "Tiny"\ntitle = "Again"'), "key 'title' is set twice"),
        (('label = "What I did"', 'label = "What I did"\nlabel = "Twice"'), "key 'label' is set"),
    ],
)
def test_parse_errors_name_the_file(change: tuple[str, str], fragment: str) -> None:
    text = GOOD_TOML.replace(*change)
    assert text != GOOD_TOML
    with pytest.raises(LibraryError) as excinfo:
        parse_template(text, "tiny.toml")
    assert str(excinfo.value).startswith("tiny.toml: ")
    assert fragment in str(excinfo.value)


def test_template_without_prompts_is_rejected() -> None:
    text = GOOD_TOML[: GOOD_TOML.index("[[prompts]]")] + "prompts = []\n"
    with pytest.raises(ValueError, match="A template needs at least one prompt"):
        parse_template(text, "tiny.toml")


def test_joint_template_cannot_wait_for_both() -> None:
    text = GOOD_TOML.replace('default_mode = "each_partner"', 'default_mode = "joint"')
    with pytest.raises(ValueError, match="joint template"):
        parse_template(text, "tiny.toml")


def test_loader_reports_the_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tiny.toml").write_text(GOOD_TOML, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(GOOD_TOML.replace("tiny", "broken", 1)[:-40])
    monkeypatch.setattr(library, "_library_files", lambda: sorted(tmp_path.iterdir()))
    with pytest.raises(ValueError, match=r"^broken\.toml: "):
        load_builtin_templates()
