"""A couple's full record as a FHIR R4 Bundle (type ``collection``), for another system.

The Bundle holds a Patient per partner, then what the areas add through `fhir_provider`
(homework: Questionnaires and QuestionnaireResponses; measures: Observations of check-in
totals; wired in `areas.py`), then a DocumentReference per signed session note. A note's PDF is
not embedded: its attachment is the URL of the note's PDF download, which asks for the
therapist's sign-in and the policy like any other download (the Bundle stays small, and a
signed PDF is made once, by the existing export).

It is released exactly like the full record (each partner's authorization recorded) and its
download is audited as an export. Psychotherapy notes are never part of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, User, utcnow
from therapy_portal.models.notes import NoteStatus, RecordScope, SessionNote
from therapy_portal.notes.records import authorizations

FhirProvider = Callable[[Couple, Mapping[str, str]], list[dict[str, Any]]]
_PROVIDERS: list[FhirProvider] = []
NEEDS_AUTHORIZATION = (
    "Record each partner's authorization before exporting the full record for another system."
)


def fhir_provider(func: FhirProvider) -> FhirProvider:
    """Add an area's resources to every Bundle (idempotent; `areas.connect` calls it)."""
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def _urn(couple: Couple, kind: str, key: Any) -> str:
    """A stable ``urn:uuid`` for a resource of this couple's Bundle (the same on every export)."""
    name = f"therapy-portal:{couple.practice_id}:{couple.id}:{kind}/{key}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _patients(couple: Couple) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rows = db.session.execute(
        select(CoupleMember.label, User)
        .join(User, User.id == CoupleMember.user_id)
        .where(CoupleMember.couple_id == couple.id)
        .order_by(CoupleMember.label)
    ).all()
    resources = [
        {
            "resourceType": "Patient",
            "id": f"partner-{label}",
            "name": [{"text": user.name}],
            "telecom": [{"system": "email", "value": user.email}],
        }
        for label, user in rows
    ]
    return resources, {label: _urn(couple, "Patient", f"partner-{label}") for label, _ in rows}


def _documents(
    couple: Couple, patients: Mapping[str, str], note_url: Callable[[int], str]
) -> list[dict[str, Any]]:
    notes = db.session.scalars(
        select(SessionNote)
        .where(SessionNote.couple_id == couple.id, SessionNote.status == NoteStatus.SIGNED)
        .order_by(SessionNote.session_date, SessionNote.id)
    )
    return [
        {
            "resourceType": "DocumentReference",
            "id": f"session-note-{note.id}",
            "status": "current",
            "docStatus": "final",
            "type": {"text": "Session note"},
            "date": note.signed_at.isoformat(),
            "description": f"Signed session note of {note.session_date.isoformat()}",
            "content": [
                {
                    "attachment": {
                        "contentType": "application/pdf",
                        "url": note_url(note.id),
                        "title": f"Session note {note.session_date.isoformat()}",
                    }
                }
            ],
            "context": {"related": [{"reference": ref} for ref in patients.values()]},
        }
        for note in notes
    ]


def _entries(couple: Couple, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"fullUrl": _urn(couple, r["resourceType"], r["id"]), "resource": r} for r in resources]


def export_bundle(actor: User, couple: Couple, note_url: Callable[[int], str]) -> dict[str, Any]:
    """The couple's full record as a Bundle, for a therapist of the couple (`couple` from
    `policy.couple_for_therapist_or_404`); refused until both partners' authorizations are
    recorded, and audited as an export."""
    labels = [
        m.label
        for m in db.session.scalars(select(CoupleMember).where(CoupleMember.couple_id == couple.id))
    ]
    if not policy.can_release_record(RecordScope.FULL, authorizations(couple), labels):
        raise InvalidState(NEEDS_AUTHORIZATION)
    patients, refs = _patients(couple)
    resources = [*patients]
    for provider in _PROVIDERS:
        resources.extend(provider(couple, refs))
    resources.extend(_documents(couple, refs, note_url))
    audit.record(
        "records.fhir_export",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        format="fhir-bundle",
        count=len(resources),
    )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": utcnow().isoformat(),
        "entry": _entries(couple, resources),
    }
