"""Questionnaire and QuestionnaireResponse exports validate against the FHIR models of
`fhir.resources` (its ``R4B`` package: version 8 ships R5 at the top level, R4B and STU3; R4B
differs from R4 only in resources these exports do not use)."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from tests.homework.factories import answers, assign, first_occurrence, make_version
from tests.homework.factories import submit as submit_answers
from therapy_portal.homework import fhir
from therapy_portal.homework.library import load_builtin_templates
from therapy_portal.homework.prompt_types import PROMPT_TYPES
from therapy_portal.homework.prompts import to_fhir_answer_items, to_fhir_items

TEMPLATES = load_builtin_templates()


def test_the_models_refuse_a_broken_resource():
    """The check can fail: an item without its type is not a Questionnaire."""
    with pytest.raises(ValidationError):
        Questionnaire.model_validate(
            {"resourceType": "Questionnaire", "status": "active", "item": [{"linkId": "x"}]}
        )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_every_library_exercise_is_a_valid_questionnaire(template):
    from werkzeug.datastructures import MultiDict

    from tests.homework.test_library import sample_input
    from therapy_portal.homework.prompts import build_answer_form_class, collect_answers

    prompts = list(template.prompts)
    resource = {"resourceType": "Questionnaire", "status": "active", "item": to_fhir_items(prompts)}
    Questionnaire.model_validate(resource)
    form = build_answer_form_class(prompts)(
        MultiDict([pair for p in prompts for pair in sample_input(p)])
    )
    assert form.validate(), form.errors
    items = to_fhir_answer_items(prompts, collect_answers(prompts, form))
    QuestionnaireResponse.model_validate(
        {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}
    )


def test_every_prompt_type_is_covered_by_the_library():
    used = {p["type"] for t in TEMPLATES for p in t.prompts}
    assert used == set(PROMPT_TYPES)


def test_a_stored_version_and_a_submitted_response_validate(hw):
    version = make_version(hw.therapist)
    Questionnaire.model_validate(fhir.questionnaire(version))
    occurrence = first_occurrence(assign(hw.therapist, hw.couple, version))
    response = submit_answers(hw.a, occurrence, answers("A")).response
    parsed = QuestionnaireResponse.model_validate(
        fhir.questionnaire_response(version, response, response.answers)
    )
    assert parsed.status == "completed" and len(parsed.item) == len(version.prompts)
