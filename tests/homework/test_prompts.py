"""Prompt types: definitions, answer forms, cleaning, display, comparison and FHIR shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import FieldList, RadioField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from therapy_portal.homework import prompts as P
from therapy_portal.homework.prompts import (
    CADENCES,
    MODES,
    NO_ANSWER,
    PROMPT_TYPES,
    VISIBILITIES,
    build_answer_form_class,
    collect_answers,
    form_data_for,
    get_prompt_type,
    validate_prompts,
)

LONG = {"key": "story", "type": "long_text", "label": "Tell the story"}
SHORT = {"key": "title", "type": "short_text", "label": "A title", "max_length": 20}
SCALE10 = {
    "key": "close",
    "type": "scale",
    "label": "How close?",
    "min": 0,
    "max": 10,
    "min_label": "Not at all",
    "max_label": "Very",
}
SCALE5 = {**SCALE10, "key": "close5", "min": 1, "max": 5}
CHOICE = {"key": "how", "type": "single_choice", "label": "How?", "options": ["Calm", "Heated"]}
CHECK = {"key": "ways", "type": "checklist", "label": "Ways", "options": ["Words", "Time", "Touch"]}
YES_NO = {"key": "done", "type": "yes_no", "label": "Done?"}
DATE = {"key": "when", "type": "date", "label": "When?"}
NUMBER = {"key": "mins", "type": "number", "label": "Minutes", "min": 0, "max": 240}
LIST = {"key": "things", "type": "list", "label": "Three things", "items": 3, "max_length": 10}
ALL = [LONG, SHORT, SCALE10, SCALE5, CHOICE, CHECK, YES_NO, DATE, NUMBER, LIST]

VALID_INPUT: list[tuple[str, str]] = [
    ("p_story", "  Once upon a time\r\nthere were two of us.  "),
    ("p_title", "Our day"),
    ("p_close", "7"),
    ("p_close5", "4"),
    ("p_how", "Calm"),
    ("p_ways", "Touch"),
    ("p_ways", "Words"),
    ("p_done", "yes"),
    ("p_when", "2025-03-14"),
    ("p_mins", "45"),
    ("p_things-0", " Tea "),
    ("p_things-1", ""),
    ("p_things-2", "Walk"),
]


def make_form(prompts: list[dict[str, Any]], pairs: list[tuple[str, str]]) -> Form:
    """Build and process an answer form from (name, value) pairs, as a POST would."""
    return build_answer_form_class(prompts)(MultiDict(pairs))


def errors_for(defn: dict[str, Any], pairs: list[tuple[str, str]]) -> list[Any]:
    form = make_form([defn], pairs)
    assert not form.validate()
    return form.errors[f"p_{defn['key']}"]


# -- registry and constants ------------------------------------------------------------------
def test_every_prompt_type_is_registered() -> None:
    expected = {
        "long_text",
        "short_text",
        "scale",
        "single_choice",
        "checklist",
        "yes_no",
        "date",
        "number",
        "list",
        "photos",
    }
    assert set(PROMPT_TYPES) == expected
    assert all(get_prompt_type(name).name == name for name in expected)


def test_unknown_prompt_type_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown prompt type"):
        get_prompt_type("photo_upload")


def test_constants_have_human_labels() -> None:
    assert VISIBILITIES == (
        "therapist_only",
        "shared_after_both",
        "shared_at_once",
        "released_by_therapist",
    )
    assert MODES == ("each_partner", "joint", "turns")
    assert CADENCES == ("once", "daily", "weekly")
    assert set(P.VISIBILITY_LABELS) == set(VISIBILITIES) == set(P.VISIBILITY_NOTICES)
    assert set(P.MODE_LABELS) == set(MODES)
    assert set(P.CADENCE_LABELS) == set(CADENCES)


# -- definition errors -----------------------------------------------------------------------
def test_valid_definitions_have_no_errors() -> None:
    assert validate_prompts(ALL) == []


def test_a_template_needs_prompts() -> None:
    assert validate_prompts([]) == ["A template needs at least one prompt."]
    assert validate_prompts("nope") == ["Prompts must be a list."]  # type: ignore[arg-type]


def test_duplicate_keys_are_reported() -> None:
    errors = validate_prompts([LONG, {**SHORT, "key": "story"}])
    assert any("duplicate key" in e and "prompt 1" in e for e in errors)


@pytest.mark.parametrize(
    ("defn", "fragment"),
    [
        ({**SCALE10, "min": 2}, "'min' must be 0 or 1"),
        ({**SCALE10, "max": 7}, "'max' must be 5 or 10"),
        ({**SCALE10, "min": True}, "'min' must be 0 or 1"),
        ({k: v for k, v in SCALE10.items() if k != "max_label"}, "max_label"),
        ({**CHOICE, "options": ["Only one"]}, "at least two options"),
        ({**CHECK, "options": ["Words", " words "]}, "start or end with spaces"),
        ({**CHECK, "options": ["Words", "WORDS"]}, "Duplicate option"),
        ({**CHOICE, "options": "Calm, Heated"}, "list of text choices"),
        ({**LIST, "items": 0}, "'items' must be a whole number from 1 to 10"),
        ({**LIST, "items": 11}, "'items' must be a whole number from 1 to 10"),
        ({**LONG, "max_length": 20001}, "from 1 to 20,000"),
        ({**SHORT, "max_length": 1001}, "from 1 to 1,000"),
        ({**NUMBER, "min": 10, "max": 5}, "smaller than 'max'"),
        ({**LONG, "label": "  "}, "label is missing"),
        ({k: v for k, v in LONG.items() if k != "label"}, "label is missing"),
        ({**LONG, "key": "Bad Key"}, "The key must be"),
        ({**LONG, "visibility": "everyone"}, "visibility must be one of"),
        ({**LONG, "required": "yes"}, "'required' must be true or false"),
        ({**LONG, "options": ["a", "b"]}, "Unknown setting"),
        ({**LONG, "type": "photo_upload"}, "unknown type"),
    ],
)
def test_definition_errors(defn: dict[str, Any], fragment: str) -> None:
    errors = validate_prompts([defn])
    assert any(fragment in error for error in errors), errors


def test_building_a_form_from_invalid_prompts_fails() -> None:
    with pytest.raises(ValueError, match="at least one prompt"):
        build_answer_form_class([])


def test_with_defaults_makes_defaults_explicit() -> None:
    long, short, lst = P.with_defaults([LONG, {**SHORT, "max_length": None}, LIST])
    assert long["max_length"] == 5000 and long["required"] is True
    assert long["visibility"] == "therapist_only"
    assert short["max_length"] == 300
    assert lst["items"] == 3 and lst["max_length"] == 10


# -- fields -----------------------------------------------------------------------------------
def test_form_has_one_field_per_prompt_in_order() -> None:
    form = make_form(ALL, [])
    assert [f.name for f in form] == [f"p_{d['key']}" for d in ALL]
    assert form.p_story.label.text == "Tell the story"
    assert any(isinstance(v, InputRequired) for v in form.p_story.validators)


def test_custom_base_form_is_used() -> None:
    class Base(Form):
        marker = StringField("Marker")

    form_class = build_answer_form_class([LONG], base=Base)
    assert issubclass(form_class, Base)
    assert "marker" in form_class()._fields


def test_valid_submission_validates_and_collects_json() -> None:
    form = make_form(ALL, VALID_INPUT)
    assert form.validate(), form.errors
    answers = collect_answers(ALL, form)
    assert answers == {
        "story": "Once upon a time\nthere were two of us.",
        "title": "Our day",
        "close": 7,
        "close5": 4,
        "how": "Calm",
        "ways": ["Words", "Touch"],
        "done": True,
        "when": "2025-03-14",
        "mins": 45,
        "things": ["Tea", "Walk"],
    }
    json.dumps(answers)


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d["type"])
def test_required_prompt_without_an_answer(defn: dict[str, Any]) -> None:
    assert errors_for(defn, []) == ["Please answer this question."]


def test_whitespace_only_text_is_no_answer() -> None:
    assert errors_for(LONG, [("p_story", "   \r\n ")]) == ["Please answer this question."]


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d["type"])
def test_optional_prompt_may_be_left_empty(defn: dict[str, Any]) -> None:
    optional = {**defn, "required": False}
    form = make_form([optional], [])
    assert form.validate(), form.errors
    value = collect_answers([optional], form)[defn["key"]]
    assert get_prompt_type(defn["type"]).is_empty(value)
    assert value in (None, [])


def test_long_text_limit_is_stated_and_enforced() -> None:
    form = make_form([LONG], [])
    assert "Up to 5,000 characters" in form.p_story.description
    assert any(isinstance(v, Length) and v.max == 5000 for v in form.p_story.validators)
    errors = errors_for(LONG, [("p_story", "x" * 5001)])
    assert len(errors) == 1 and "5,000 characters" in errors[0] and "5001" in errors[0]
    assert make_form([LONG], [("p_story", "x" * 5000)]).validate()


def test_long_text_keeps_pasted_text_but_short_text_has_browser_limit() -> None:
    form = make_form([LONG, SHORT], [])
    assert "maxlength" not in form.p_story()
    assert 'maxlength="20"' in form.p_title()


def test_short_text_limit_uses_the_definition() -> None:
    form = make_form([SHORT], [])
    assert "Up to 20 characters" in form.p_title.description
    assert "20 characters" in errors_for(SHORT, [("p_title", "y" * 21)])[0]


def test_help_text_comes_before_the_limit() -> None:
    form = make_form([{**LONG, "help": "Take your time."}], [])
    assert form.p_story.description == "Take your time. Up to 5,000 characters."


@pytest.mark.parametrize("value", ["11", "-1", "abc", "7.5"])
def test_scale_out_of_range(value: str) -> None:
    assert errors_for(SCALE10, [("p_close", value)]) == ["Please choose a number from 0 to 10."]


def test_scale_field_shape() -> None:
    form = make_form([SCALE5], [("p_close5", "1")])
    assert isinstance(form.p_close5, RadioField)
    assert [opt.data for opt in form.p_close5] == list("12345")
    assert any(isinstance(v, NumberRange) for v in form.p_close5.validators)
    assert form.p_close5.description == "From 1 = Not at all, 5 = Very."
    assert form.validate()
    assert errors_for(SCALE5, [("p_close5", "0")]) == ["Please choose a number from 1 to 5."]


def test_single_choice_rejects_unknown_option() -> None:
    errors = errors_for(CHOICE, [("p_how", "Shouting")])
    assert errors == ["Please choose one of the options listed."]
    form = make_form([CHOICE], [])
    assert any(isinstance(v, AnyOf) for v in form.p_how.validators)


def test_checklist_is_checkboxes_and_rejects_unknown_options() -> None:
    form = make_form([CHECK], [])
    assert isinstance(form.p_ways, SelectMultipleField)
    assert isinstance(form.p_ways.widget, ListWidget)
    assert isinstance(form.p_ways.option_widget, CheckboxInput)
    html = form.p_ways()
    assert html.count('type="checkbox"') == 3
    assert "required" not in html  # a required flag on each box would demand all of them
    errors = errors_for(CHECK, [("p_ways", "Words"), ("p_ways", "Gifts")])
    assert errors == ["Please choose only from the options listed."]


def test_yes_no_is_radio_yes_no() -> None:
    form = make_form([YES_NO], [("p_done", "no")])
    assert isinstance(form.p_done, RadioField)
    assert [opt.data for opt in form.p_done] == ["yes", "no"]
    assert form.validate()
    assert collect_answers([YES_NO], form) == {"done": False}
    assert errors_for(YES_NO, [("p_done", "maybe")]) == ["Please choose yes or no."]


def test_date_rejects_impossible_date() -> None:
    errors = errors_for(DATE, [("p_when", "2025-02-30")])
    assert len(errors) == 1 and errors != ["Please answer this question."]


@pytest.mark.parametrize("value", ["241", "-1", "NaN", "Infinity", "sNaN", "abc", "1e400"])
def test_number_rejects_bad_values(value: str) -> None:
    assert len(errors_for(NUMBER, [("p_mins", value)])) == 1


def test_number_accepts_decimals_and_states_its_range() -> None:
    defn = {**NUMBER, "unit": "minutes"}
    form = make_form([defn], [("p_mins", "12.5")])
    assert form.validate(), form.errors
    assert collect_answers([defn], form) == {"mins": 12.5}
    assert form.p_mins.description == "A number from 0 to 240 (minutes)."


def test_list_is_a_fieldlist_with_numbered_entries() -> None:
    form = make_form([LIST], [])
    assert isinstance(form.p_things, FieldList)
    assert len(form.p_things.entries) == 3
    assert [e.label.text for e in form.p_things] == ["Item 1", "Item 2", "Item 3"]
    assert "Up to 3 items, each up to 10 characters." in form.p_things.description


def test_list_rejects_a_too_long_item() -> None:
    errors = errors_for(LIST, [("p_things-0", "ok"), ("p_things-1", "much too long")])
    assert errors[0] == [] and errors[2] == []
    assert "10 characters" in errors[1][0] and "each item" in errors[1][0]


def test_list_ignores_extra_entries_beyond_items() -> None:
    pairs = [(f"p_things-{i}", f"t{i}") for i in range(5)]
    form = make_form([LIST], pairs)
    assert form.validate()
    assert collect_answers([LIST], form) == {"things": ["t0", "t1", "t2"]}


def test_stored_answers_refill_a_form() -> None:
    form = make_form(ALL, VALID_INPUT)
    assert form.validate()
    answers = collect_answers(ALL, form)
    refilled = build_answer_form_class(ALL)(data=form_data_for(ALL, answers))
    assert refilled.validate(), refilled.errors
    assert collect_answers(ALL, refilled) == answers


# -- clean / display / compare ---------------------------------------------------------------
def pt(defn: dict[str, Any]) -> P.PromptType:
    return get_prompt_type(defn["type"])


def test_clean_normalises() -> None:
    assert pt(LONG).clean(LONG, "  a\r\nb\x00 ") == "a\nb"
    assert pt(LONG).clean(LONG, "   ") is None
    assert pt(LIST).clean(LIST, [" a ", "", None, "b"]) == ["a", "b"]
    assert pt(SCALE10).clean(SCALE10, "7") == 7
    assert pt(DATE).clean(DATE, "2025-03-14") == "2025-03-14"
    assert pt(YES_NO).clean(YES_NO, "Yes") is True
    assert pt(CHECK).clean(CHECK, ["Touch", "Words", "Touch"]) == ["Words", "Touch"]
    assert pt(NUMBER).clean(NUMBER, "45.0") == 45


@pytest.mark.parametrize(
    ("defn", "raw"),
    [
        (SCALE10, 11),
        (SCALE10, "seven"),
        (CHOICE, "Shouting"),
        (CHECK, ["Gifts"]),
        (SHORT, "z" * 21),
        (LIST, ["a", "b", "c", "d"]),
        (LIST, "not a list"),
        (YES_NO, "maybe"),
        (DATE, "14/03/2025"),
        (NUMBER, "nan"),
        (NUMBER, True),
        (LONG, 42),
    ],
)
def test_clean_rejects_impossible_values(defn: dict[str, Any], raw: Any) -> None:
    with pytest.raises(ValueError):
        pt(defn).clean(defn, raw)


@pytest.mark.parametrize(
    ("defn", "value", "text"),
    [
        (LONG, "Line one\nLine two", "Line one\nLine two"),
        (SCALE10, 7, "7 out of 10 (0 = Not at all, 10 = Very)"),
        (SCALE10, 0, "0 out of 10 (0 = Not at all, 10 = Very)"),
        (CHOICE, "Calm", "Calm"),
        (CHECK, ["Words", "Touch"], "Words; Touch"),
        (YES_NO, False, "No"),
        (DATE, "2025-03-14", "Fri 14 Mar 2025"),
        ({**NUMBER, "unit": "minutes"}, 1500, "1,500 minutes"),
        (LIST, ["Tea", "Walk"], "1. Tea\n2. Walk"),
    ],
)
def test_display(defn: dict[str, Any], value: Any, text: str) -> None:
    assert pt(defn).display(defn, value) == text


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d["type"])
def test_display_of_no_answer(defn: dict[str, Any]) -> None:
    assert pt(defn).display(defn, None) == NO_ANSWER


def test_compare_scale_gap_is_notable_by_scale() -> None:
    assert pt(SCALE10).compare(SCALE10, 8, 5) == {"gap": 3, "notable": True}
    assert pt(SCALE10).compare(SCALE10, 2, 4) == {"gap": 2, "notable": False}
    assert pt(SCALE5).compare(SCALE5, 5, 3) == {"gap": 2, "notable": True}
    assert pt(SCALE5).compare(SCALE5, 4, 3) == {"gap": 1, "notable": False}
    assert pt(SCALE10).compare(SCALE10, None, 3) == {"gap": None, "notable": False}


def test_compare_number_gap() -> None:
    defn = {**NUMBER, "notable_gap": 15}
    assert pt(defn).compare(defn, 30, 50) == {"gap": 20, "notable": True}
    assert pt(NUMBER).compare(NUMBER, 30, 50) == {"gap": 20, "notable": False}


def test_compare_list_items_only_one_partner_named() -> None:
    result = pt(LIST).compare(LIST, ["Cooked dinner", "The  walk"], ["the walk", "A hug"])
    assert result == {"only_a": ["Cooked dinner"], "only_b": ["A hug"], "both": ["The walk"]}


def test_compare_checklist() -> None:
    result = pt(CHECK).compare(CHECK, ["Words", "Time"], ["Time", "Touch"])
    assert result == {"only_a": ["Words"], "only_b": ["Touch"], "both": ["Time"]}


def test_compare_choices_and_text() -> None:
    assert pt(CHOICE).compare(CHOICE, "Calm", "Heated") == {"differs": True}
    assert pt(CHOICE).compare(CHOICE, "Calm", "Calm") == {"differs": False}
    assert pt(YES_NO).compare(YES_NO, True, False) == {"differs": True}
    assert pt(YES_NO).compare(YES_NO, True, None) == {"differs": False}
    assert pt(LONG).compare(LONG, "a", "b") == {}


# -- FHIR -------------------------------------------------------------------------------------
def test_fhir_items() -> None:
    items = {item["linkId"]: item for item in P.to_fhir_items(ALL)}
    assert items["story"] == {
        "linkId": "story",
        "text": "Tell the story",
        "type": "text",
        "required": True,
        "repeats": False,
        "maxLength": 5000,
    }
    assert items["title"]["type"] == "string" and items["title"]["maxLength"] == 20
    assert items["close"]["type"] == "integer"
    assert {e["valueInteger"] for e in items["close"]["extension"]} == {0, 10}
    assert [i["text"] for i in items["close"]["item"]] == ["Not at all", "Very"]
    assert items["how"]["type"] == "choice" and items["how"]["repeats"] is False
    assert items["how"]["answerOption"] == [{"valueString": "Calm"}, {"valueString": "Heated"}]
    assert items["ways"]["type"] == "choice" and items["ways"]["repeats"] is True
    assert len(items["ways"]["answerOption"]) == 3
    assert items["done"]["type"] == "boolean"
    assert items["when"]["type"] == "date"
    assert items["mins"]["type"] == "decimal"
    assert items["things"]["type"] == "string" and items["things"]["repeats"] is True
    assert items["things"]["maxLength"] == 10
    json.dumps(list(items.values()))


def test_fhir_item_help_is_a_display_child() -> None:
    item = pt(LONG).to_fhir_item({**LONG, "help": "Take your time.", "required": False})
    assert item["required"] is False
    assert item["item"][0]["type"] == "display" and item["item"][0]["text"] == "Take your time."


@pytest.mark.parametrize(
    ("defn", "value", "answer"),
    [
        (LONG, "hi", [{"valueString": "hi"}]),
        (SCALE10, 0, [{"valueInteger": 0}]),
        (CHOICE, "Calm", [{"valueString": "Calm"}]),
        (CHECK, ["Words", "Time"], [{"valueString": "Words"}, {"valueString": "Time"}]),
        (YES_NO, False, [{"valueBoolean": False}]),
        (DATE, "2025-03-14", [{"valueDate": "2025-03-14"}]),
        (NUMBER, 12.5, [{"valueDecimal": 12.5}]),
        (LIST, ["a", "b"], [{"valueString": "a"}, {"valueString": "b"}]),
        (LONG, None, []),
        (LIST, [], []),
    ],
)
def test_fhir_answers(defn: dict[str, Any], value: Any, answer: list[dict[str, Any]]) -> None:
    assert pt(defn).to_fhir_answer(defn, value) == answer


def test_fhir_answer_items_skip_unanswered() -> None:
    items = P.to_fhir_answer_items([LONG, SCALE10], {"story": None, "close": 3})
    assert items == [{"linkId": "close", "text": "How close?", "answer": [{"valueInteger": 3}]}]


# -- properties -------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_clean_text_round_trips_through_display(text: str) -> None:
    for defn in (LONG, {**SHORT, "max_length": 300}):
        cleaned = pt(defn).clean(defn, text)
        shown = pt(defn).display(defn, cleaned)
        assert shown == (NO_ANSWER if cleaned is None else cleaned)
        assert pt(defn).clean(defn, cleaned) == cleaned  # idempotent
        json.dumps(cleaned)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(st.text(max_size=10), max_size=3))
def test_clean_list_round_trips_through_display(items: list[str]) -> None:
    cleaned = pt(LIST).clean(LIST, items)
    shown = pt(LIST).display(LIST, cleaned)
    assert shown == NO_ANSWER if not cleaned else all(item in shown for item in cleaned)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_form_submission_matches_clean(text: str) -> None:
    optional = {**LONG, "required": False}
    form = make_form([optional], [("p_story", text)])
    assert form.validate(), form.errors
    assert collect_answers([optional], form)["story"] == pt(LONG).clean(LONG, text)
