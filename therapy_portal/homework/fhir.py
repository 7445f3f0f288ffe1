"""FHIR R4 exports: a template version as a Questionnaire, a response as a QuestionnaireResponse.

Both are plain dicts ready for `json.dumps`. A QuestionnaireResponse carries only the answers
the reader may see (the caller passes what `policy.visible_answers` returned).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from therapy_portal.homework.occurrences import occurrences_with_responses
from therapy_portal.homework.prompts import to_fhir_answer_items, to_fhir_items
from therapy_portal.models import Couple
from therapy_portal.models.homework import ExerciseVersion, Response, ResponseStatus

CANONICAL_BASE = "urn:therapy-portal:questionnaire"
STATUS = {
    ResponseStatus.DRAFT: "in-progress",
    ResponseStatus.RETURNED: "amended",
    ResponseStatus.SUBMITTED: "completed",
}


def canonical_url(version: ExerciseVersion) -> str:
    return f"{CANONICAL_BASE}:{version.template_id}"


def questionnaire(version: ExerciseVersion) -> dict[str, Any]:
    """A FHIR R4 Questionnaire for one immutable template version."""
    resource = {
        "resourceType": "Questionnaire",
        "id": f"exercise-version-{version.id}",
        "url": canonical_url(version),
        "version": str(version.number),
        "name": "".join(ch for ch in version.title.title() if ch.isalnum())[:60] or "Exercise",
        "title": version.title,
        "status": "active",
        "date": version.created_at.isoformat(),
        "description": version.instructions,
        "purpose": version.rationale or None,
        "copyright": version.reference or None,
        "item": to_fhir_items(version.prompts),
    }
    return {k: v for k, v in resource.items() if v is not None}


def questionnaire_response(
    version: ExerciseVersion, response: Response, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """A FHIR R4 QuestionnaireResponse holding ``answers`` (already filtered by the policy)."""
    prompts = [p for p in version.prompts if p["key"] in answers]
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": f"response-{response.id}",
        "questionnaire": f"{canonical_url(version)}|{version.number}",
        "status": STATUS.get(response.status, "in-progress"),
        "item": to_fhir_answer_items(prompts, answers),
    }
    if response.submitted_at is not None:
        resource["authored"] = response.submitted_at.isoformat()
    return {k: v for k, v in resource.items() if v is not None}


def _subject(patients: Mapping[str, str], label: str) -> dict[str, Any]:
    """Who answered: the partner's Patient, or for a joint answer nobody in particular."""
    return {"author": {"reference": patients[label]}} if label in patients else {}


def record_resources(couple: Couple, patients: Mapping[str, str]) -> list[dict[str, Any]]:
    """The full record's homework for a FHIR Bundle: each Questionnaire used, then every
    submitted answer as a QuestionnaireResponse (all answers: the full record is released only
    with both partners' authorization). ``patients`` maps "A"/"B" to Patient references."""
    questionnaires: dict[int, dict[str, Any]] = {}
    responses = []
    for occurrence, by_label in occurrences_with_responses(couple):
        version = occurrence.assignment.version
        for label, response in sorted(by_label.items()):
            if response.answers is None:
                continue
            questionnaires.setdefault(version.id, questionnaire(version))
            resource = questionnaire_response(version, response, response.answers)
            responses.append({**resource, **_subject(patients, label)})
    return [*questionnaires.values(), *responses]
