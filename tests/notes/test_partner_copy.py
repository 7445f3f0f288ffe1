"""A single partner's copy of the record: which parts of a joint note it may carry.

The rule lives in `therapy_portal.policy.partner_copy`; these tests build real ZIPs and read the
PDFs' text, so a part that slips through any template or builder shows up here.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import clock
from tests.factories import login, partner
from tests.notes.factories import make_note
from tests.notes.test_pdf import pdf_text
from therapy_portal import policy
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.models.notes import NoteExport
from therapy_portal.notes import addenda, copies, jobs, reading, records

RISK = "RISK-SCREENED-ALONE-IPV-c41d"
PLAN = "PLAN-TEXT-FOR-BOTH-88a2"


def _released_text(app, therapist, couple, scope: str) -> str:
    for label in "AB":
        records.record_authorization(therapist, couple, label, "written", clock.today())
    previewed = None if scope == "full" else copies.fingerprint(therapist, couple, scope)
    job = records.start_release(therapist, couple, scope, previewed)
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
        session_date=clock.today() - timedelta(days=2),
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


def test_a_part_the_therapist_marks_is_left_out_of_partner_copies_only(app, people, joint_note):
    therapist, couple = people["therapist"], people["couple"]
    signature = joint_note.signature
    copies.set_marks(therapist, joint_note, {"section:plan"})
    db.session.commit()
    assert joint_note.signature == signature
    reread = policy.note_for_therapist_or_404(therapist, joint_note.id)
    assert reading.check_integrity(therapist, reread).ok  # the signed content is unchanged
    text = _released_text(app, therapist, couple, "B")
    assert PLAN not in text and "the therapist marked it not for partner copies" in text
    assert PLAN in _released_text(app, therapist, couple, "full")


def test_a_marked_addendum_is_left_out_of_partner_copies(app, people):
    therapist, couple = people["therapist"], people["couple"]
    note = make_note(therapist, couple, signed=True)
    addenda.add_addendum(therapist, note, "correction", "Late risk note", "ADDENDUM-CANARY-7e01")
    copies.set_marks(therapist, note, {"addendum:1"})
    db.session.commit()
    text = _released_text(app, therapist, couple, "A")
    assert "ADDENDUM-CANARY-7e01" not in text and "Late risk note" not in text


def test_a_session_one_partner_attended_alone_keeps_that_partners_own_screening(app, people):
    therapist, couple = people["therapist"], people["couple"]
    make_note(therapist, couple, signed=True, attendees="A", risk_screening=RISK)
    db.session.commit()
    assert RISK in _released_text(app, therapist, couple, "A")


def test_only_the_notes_own_parts_can_be_marked(people, joint_note):
    therapist = people["therapist"]
    for bogus in ({"section:subjective"}, {"risk_screening"}, {"digest"}, {"addendum:1"}):
        with pytest.raises(ValidationFailed):
            copies.set_marks(therapist, joint_note, bogus)
    with pytest.raises(NotAllowed):
        copies.set_marks(partner(people["couple"], "A"), joint_note, {"section:plan"})


def test_a_release_is_refused_when_the_copy_changed_since_the_preview(people, joint_note):
    therapist, couple = people["therapist"], people["couple"]
    records.record_authorization(therapist, couple, "B", "written", clock.today())
    seen = copies.preview(therapist, couple, "B").fingerprint
    copies.set_marks(therapist, joint_note, {"interventions"})
    with pytest.raises(InvalidState, match="Check the preview again"):
        records.start_release(therapist, couple, "B", seen)
    with pytest.raises(InvalidState, match="Check the preview again"):
        records.start_release(therapist, couple, "B", None)  # never previewed
    assert records.start_release(
        therapist, couple, "B", copies.preview(therapist, couple, "B").fingerprint
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_therapist_marks_previews_and_releases_exactly_what_the_copy_holds(
    app, people, joint_note, client
):
    therapist, couple = people["therapist"], people["couple"]
    records.record_authorization(therapist, couple, "B", "written", clock.today())
    db.session.commit()
    login(client, therapist.email)
    marked = client.post(f"/notes/{joint_note.id}/partner-copy", data={"parts": ["interventions"]})
    assert marked.status_code == 302
    detail = client.get(f"/notes/{joint_note.id}").get_data(as_text=True)
    assert re.search(
        r'<input checked id="parts-\d+" name="parts" type="checkbox" value="interventions">', detail
    )
    assert client.get(f"/couples/{couple.id}/records").status_code == 200
    page = client.get(f"/couples/{couple.id}/records/partner-B").get_data(as_text=True)
    assert PLAN in page and RISK not in page and "Soft start-up coaching." not in page
    assert page.count("Left out of this partner's copy") == 3  # digest, screening, marked
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page).group(1)
    released = client.post(
        f"/couples/{couple.id}/records/release", data={"scope": "B", "fingerprint": fingerprint}
    )
    assert "/notes/exports/" in released.headers["Location"]
    job = db.session.scalars(select(NoteExport).order_by(NoteExport.id.desc())).first()
    archive = zipfile.ZipFile(io.BytesIO((jobs.export_dir(app) / job.file_name).read_bytes()))
    text = _flat(pdf_text(archive.read(f"session-note-{joint_note.id}.pdf")))
    assert PLAN in text and RISK not in text and "Soft start-up coaching." not in text
    assert text.count("Left out of this partner's copy") == 3


def test_a_stale_preview_is_not_released(app, people, joint_note, client):
    therapist, couple = people["therapist"], people["couple"]
    records.record_authorization(therapist, couple, "B", "written", clock.today())
    db.session.commit()
    login(client, therapist.email)
    page = client.get(f"/couples/{couple.id}/records/partner-B").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page).group(1)
    client.post(f"/notes/{joint_note.id}/partner-copy", data={"parts": ["section:plan"]})
    refused = client.post(
        f"/couples/{couple.id}/records/release",
        data={"scope": "B", "fingerprint": fingerprint},
        follow_redirects=True,
    )
    assert "Check the preview again" in refused.get_data(as_text=True)
    assert db.session.scalar(select(NoteExport.id)) is None


def test_a_partner_the_couple_does_not_have_has_no_preview(people, client):
    from tests.factories import make_couple

    solo = make_couple(people["therapist"], partners=1)
    db.session.commit()
    login(client, people["therapist"].email)
    assert client.get(f"/couples/{solo.id}/records/partner-B").status_code == 404
    assert client.get(f"/couples/{solo.id}/records/partner-A").status_code == 200
    outcomes = db.session.execute(
        select(AuditEvent.outcome).where(AuditEvent.action == "record.preview")
    ).scalars()
    assert sorted(outcomes) == ["denied", "success"]


def test_the_preview_uses_the_same_queries_for_2_and_8_notes(people, client, count_queries):
    therapist, couple = people["therapist"], people["couple"]

    def add(count: int, start: int) -> None:
        for day in range(start, start + count):
            note = make_note(
                therapist,
                couple,
                signed=True,
                addenda=1,
                session_date=clock.today() - timedelta(days=day),
            )
            copies.set_marks(therapist, note, {"addendum:1"})
        db.session.commit()

    add(2, 1)
    login(client, therapist.email)
    url = f"/couples/{couple.id}/records/partner-A"
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add(6, 10)
    with count_queries() as large:
        page = client.get(url).get_data(as_text=True)
    assert "8 signed session notes" in page
    assert small.count == large.count
