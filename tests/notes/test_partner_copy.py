"""A single partner's copy of the record: which parts of a joint note it may carry.

The rule lives in `therapy_portal.policy.partner_copy`; these tests build real ZIPs and read the
PDFs' text, so a part that slips through any template or builder shows up here.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest

from tests.notes.factories import make_note
from tests.notes.test_pdf import pdf_text
from therapy_portal.extensions import db
from therapy_portal.models.notes import NoteExport
from therapy_portal.notes import jobs, records

RISK = "RISK-SCREENED-ALONE-IPV-c41d"
PLAN = "PLAN-TEXT-FOR-BOTH-88a2"


def _released_text(app, therapist, couple, scope: str) -> str:
    for label in "AB":
        records.record_authorization(therapist, couple, label, "written", date.today())
    job = records.start_release(therapist, couple, scope)
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    job = db.session.get(NoteExport, job.id)
    assert job.status == "done", job.error
    archive = zipfile.ZipFile(io.BytesIO((jobs.export_dir(app) / job.file_name).read_bytes()))
    return "\n".join(
        pdf_text(archive.read(name)) for name in archive.namelist() if name.endswith(".pdf")
    )


@pytest.fixture
def joint_note(people):
    note = make_note(
        people["therapist"],
        people["couple"],
        signed=True,
        risk_screening=RISK,
        sections={"data": "Both spoke.", "assessment": "Progress.", "plan": PLAN},
        session_date=date.today() - timedelta(days=2),
    )
    db.session.commit()
    return note


@pytest.mark.parametrize("label", ["A", "B"])
def test_a_partner_copy_leaves_out_the_individually_screened_risk_screening(
    app, people, joint_note, label
):
    text = _released_text(app, people["therapist"], people["couple"], label)
    assert PLAN in text  # the joint parts are there
    assert RISK not in text
    assert "Left out of this partner's copy" in text


def test_the_full_record_keeps_the_risk_screening(app, people, joint_note):
    assert RISK in _released_text(app, people["therapist"], people["couple"], "full")
