"""Check-in totals as FHIR R4 Observations, for a couple's record exported as a FHIR Bundle.

LOINC has total-score codes for PHQ-9 and GAD-7; the couple measures (CSI-4, CSI-16, RAS) have
none, so they carry a local code (``urn:therapy-portal:measure``) with the instrument's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.models import Couple, CoupleMember
from therapy_portal.models.measures import MeasureResponse

LOINC = "http://loinc.org"
LOCAL_SYSTEM = "urn:therapy-portal:measure"
LOINC_TOTALS = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


def _code(instrument: str) -> dict[str, Any]:
    inst = INSTRUMENTS.get(instrument)
    name = f"{inst.name if inst else instrument} total score"
    local = {"system": LOCAL_SYSTEM, "code": f"{instrument}-total", "display": name}
    if instrument in LOINC_TOTALS:
        code, display = LOINC_TOTALS[instrument]
        return {
            "coding": [{"system": LOINC, "code": code, "display": display}, local],
            "text": name,
        }
    return {"coding": [local], "text": name}


def observations(couple: Couple, patients: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every check-in total of the couple, one Observation each, about the partner who answered
    (``patients`` maps "A"/"B" to Patient references)."""
    rows = db.session.execute(
        select(MeasureResponse, CoupleMember.label)
        .join(
            CoupleMember,
            (CoupleMember.user_id == MeasureResponse.partner_id)
            & (CoupleMember.couple_id == MeasureResponse.couple_id),
        )
        .where(MeasureResponse.couple_id == couple.id)
        .order_by(MeasureResponse.taken_at, MeasureResponse.id)
    ).all()
    return [
        {
            "resourceType": "Observation",
            "id": f"measure-response-{r.id}",
            "status": "final",
            "category": [SURVEY],
            "code": _code(r.instrument),
            "subject": {"reference": patients[label]},
            "effectiveDateTime": r.taken_at.isoformat(),
            "valueInteger": r.total,
        }
        for r, label in rows
        if label in patients
    ]
