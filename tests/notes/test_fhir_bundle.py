"""A couple's full record as a FHIR Bundle: every resource and the Bundle validate with the R4B
models of `fhir.resources`, it is released like the full record, and it is audited as an export."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from tests import clock
from tests.factories import build_people, login
from tests.homework.factories import answers, assign, first_occurrence, make_version
from tests.homework.factories import submit as submit_answers
from tests.notes.factories import make_note
from therapy_portal.consents.demo import sign_all
from therapy_portal.errors import InvalidState
from therapy_portal.extensions import db
from therapy_portal.measures import checkins
from therapy_portal.measures import services as measures
from therapy_portal.models import AuditEvent
from therapy_portal.models.consents import ConsentKind
from therapy_portal.notes import fhir_bundle, records

CSI4 = [5, 5, 5, 4]
PHQ9 = [1, 1, 0, 0, 1, 0, 0, 0, 0]


def _world(authorized: bool = True):
    p = build_people(policy="limited_secrets")
    sign_all(p.couple, [ConsentKind.RECORDS_RELEASE])  # releases wait for this consent
    version = make_version(p.therapist)
    occurrence = first_occurrence(assign(p.therapist, p.couple, version))
    submit_answers(p.a, occurrence, answers("A"))
    submit_answers(p.b, occurrence, answers("B"))
    start = clock.today() - timedelta(days=1)
    csi4 = measures.schedule_checkin(p.therapist, p.couple, "csi4", 1, start)
    phq9 = measures.schedule_checkin(p.therapist, p.couple, "phq9", 2, start)
    checkins.submit_checkin(p.a, csi4, CSI4)
    checkins.submit_checkin(p.b, csi4, CSI4)
    checkins.submit_checkin(p.a, phq9, PHQ9)
    make_note(p.therapist, p.couple, signed=True)
    make_note(p.therapist, p.couple, signed=False, session_date=clock.today())  # a draft: left out
    if authorized:
        for label in "AB":
            records.record_authorization(p.therapist, p.couple, label, "written", clock.today())
    db.session.flush()
    return p


def _bundle(p) -> dict:
    return fhir_bundle.export_bundle(
        p.therapist, p.couple, lambda i: f"https://portal/notes/{i}/pdf"
    )


def test_every_resource_and_the_bundle_validate(ctx):
    bundle = _bundle(_world())
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"].startswith("urn:uuid:")
    assert kinds.count("Patient") == 2
    assert kinds.count("Questionnaire") == 1 and kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Observation") == 3 and kinds.count("DocumentReference") == 1
    json.dumps(bundle)


def test_references_resolve_inside_the_bundle_and_codes_are_loinc_where_they_exist(ctx):
    bundle = _bundle(_world())
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    resources = [entry["resource"] for entry in bundle["entry"]]
    for r in resources:
        for ref in (r.get("subject"), r.get("author")):
            if ref:
                assert ref["reference"] in urls
    codes = {
        c["code"]: c["system"]
        for r in resources
        if r["resourceType"] == "Observation"
        for c in r["code"]["coding"]
    }
    assert codes["44261-6"] == "http://loinc.org"  # PHQ-9 total
    assert codes["csi4-total"] == "urn:therapy-portal:measure"  # no LOINC code for CSI-4
    [document] = [r for r in resources if r["resourceType"] == "DocumentReference"]
    attachment = document["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["url"].startswith("https://portal/notes/")


def test_it_is_refused_until_both_partners_authorized_and_audited_when_made(ctx):
    p = _world(authorized=False)
    with pytest.raises(InvalidState):
        _bundle(p)
    records.record_authorization(p.therapist, p.couple, "A", "written", clock.today())
    with pytest.raises(InvalidState):
        _bundle(p)
    records.record_authorization(p.therapist, p.couple, "B", "written", clock.today())
    _bundle(p)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "records.fhir_export")
    ).one()
    assert event.couple_id == p.couple.id and event.detail["format"] == "fhir-bundle"


def test_the_records_page_offers_it_in_plain_words_and_serves_it(app, client):
    with app.app_context():
        p = _world()
        couple_id, email = p.couple.id, p.therapist.email
        db.session.commit()
    login(client, email)
    page = client.get(f"/couples/{couple_id}/records").get_data(as_text=True)
    assert "Download the full record for another system (FHIR)" in page
    response = client.get(f"/couples/{couple_id}/records/fhir-bundle.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert response.headers["Cache-Control"] == "no-store"
    Bundle.model_validate(response.get_json())
