"""The typed vocabulary keeps the stored words; the rules pages ask live in the policy; each
prompt type brings its own row of the template builder."""

from __future__ import annotations

import pytest

from tests.homework.factories import answers, assign, first_occurrence, make_version, seat, submit
from therapy_portal import policy
from therapy_portal.homework import services
from therapy_portal.homework.builder_forms import (
    TYPE_LABELS,
    PromptRowForm,
    TemplateForm,
    new_prompt_row,
    prompt_rows_from,
)
from therapy_portal.homework.prompts import PROMPT_TYPES, validate_prompts, with_defaults
from therapy_portal.models.vocabulary import (
    Audience,
    Cadence,
    Mode,
    Progress,
    Slot,
    Visibility,
)


def test_the_vocabulary_is_the_stored_strings():
    assert [str(m) for m in Mode] == ["each_partner", "joint", "turns"]
    assert [str(s) for s in Slot] == ["A", "B", "J"] and Slot.JOINT == "J"
    assert [str(a) for a in Audience] == ["A", "B", "both"]
    assert [str(c) for c in Cadence] == ["once", "daily", "weekly"]
    assert Visibility("released_by_therapist") is Visibility.RELEASED_BY_THERAPIST
    assert Slot.A.other is Slot.B and Slot.JOINT.other is Slot.JOINT


def test_templates_reach_the_vocabulary(app):
    assert app.jinja_env.globals["Slot"] is Slot
    rendered = app.jinja_env.from_string("{{ Slot.JOINT }} {{ Mode.TURNS == 'turns' }}").render()
    assert rendered == "J True"


TURNS = [{"key": "write", "type": "long_text", "label": "Write", "visibility": "shared_at_once"}]


def test_the_turns_rule_and_progress_come_from_the_policy(hw):
    version = make_version(hw.therapist, TURNS, mode=Mode.TURNS)
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, version))
    assert policy.waits_for_first(Mode.TURNS, Slot.B) and not policy.waits_for_first(
        Mode.EACH_PARTNER, Slot.B
    )
    assert policy.writes_first(Mode.TURNS, Slot.A)
    [b_item] = services.partner_home(hw.b).due_soon
    assert b_item.state == Progress.WAITING
    assert services.open_for_partner(hw.b, seat(hw.b, occurrence)).blocked
    services.save_draft(hw.a, seat(hw.a, occurrence), {}, 0)
    [a_item] = services.partner_home(hw.a).due_soon
    assert a_item.state == Progress.NOT_STARTED  # an empty draft is not a start
    submit(hw.a, occurrence, {"p_write": ["A first"]})
    assert services.partner_home(hw.b).due_soon[0].state == Progress.NOT_STARTED
    assert services.open_for_partner(hw.b, seat(hw.b, occurrence)).blocked is None


def test_the_assignment_page_rows_say_where_each_answer_stands(hw):
    assignment = assign(hw.therapist, hw.couple, make_version(hw.therapist))
    occurrence = first_occurrence(assignment)
    submit(hw.a, occurrence, answers("A"))
    [row] = services.assignment_occurrences(hw.therapist, assignment)
    assert row.progress == {Slot.A: Progress.SUBMITTED, Slot.B: Progress.NOT_STARTED}
    assert row.has_submitted


@pytest.mark.parametrize("kind", list(PROMPT_TYPES))
def test_each_prompt_type_brings_its_builder_row(app, kind):
    prompt_type = PROMPT_TYPES[kind]
    assert TYPE_LABELS[kind] == prompt_type.label
    assert all(name in PromptRowForm() for name in prompt_type.builder_field_names)
    row = new_prompt_row(kind, set()) | {"label": "A question"}
    if "options" in prompt_type.builder_field_names:
        row["options"] = "One\nTwo"
    with app.test_request_context():
        form = TemplateForm(formdata=None, data={"prompts": [row]})
        defn, problems = form.prompts[0].form.to_definition()
    assert problems == [] and validate_prompts([defn]) == []
    stored = with_defaults([defn])
    again = prompt_rows_from(stored)[0]
    with app.test_request_context():
        form = TemplateForm(formdata=None, data={"prompts": [again]})
        assert with_defaults([form.prompts[0].form.to_definition()[0]]) == stored
