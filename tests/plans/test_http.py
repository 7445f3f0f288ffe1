"""Plans and supervision over HTTP: the editor's field errors, signing, versions, the PDF, the
co-signature flow, refusals, the Overview and Today, what partners never see, query budgets."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import clock
from tests.factories import build_people, login, partner
from tests.measures.factories import make_response, make_schedule
from tests.notes.factories import make_note
from tests.plans.factories import make_plan, supervise
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, Couple, User
from therapy_portal.models.plans import PlanVersion

YES = {"confirmed": "yes"}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


class Web:
    """The people (committed, as ids), a signed-in client per person, and `given` to set data
    up through the services in an app context of its own (requests must not share one)."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            people = _people()
            self.ids = {"couple": people.couple.id}
            emails = {
                "therapist": people.therapist.email,
                "supervisor": people.other_therapist.email,
                "a": partner(people.couple, "A").email,
            }
            db.session.commit()
        self.clients = {}
        for who, email in emails.items():
            self.clients[who] = app.test_client()
            assert login(self.clients[who], email).status_code == 302

    def given(self, setup):
        with self.app.app_context():
            therapist, supervisor, couple = _reload(self.ids["couple"])
            result = setup(therapist, supervisor, couple)
            db.session.commit()
            return result

    def actions(self) -> set[str]:
        with self.app.app_context():
            return set(db.session.scalars(select(AuditEvent.action)).all())


def _people():
    return build_people(
        practice="Harbor Couples Practice",
        therapist="Robin Hale",
        credentials="LMFT",
        other_therapist="Sam Supervisor",
        couple="Lopez & Kim",
    )


def _reload(couple_id: int):
    couple = db.session.get(Couple, couple_id)
    therapist = db.session.scalar(
        select(User).where(User.practice_id == couple.practice_id, User.name == "Robin Hale")
    )
    supervisor = db.session.scalar(
        select(User).where(User.practice_id == couple.practice_id, User.name == "Sam Supervisor")
    )
    return therapist, supervisor, couple


@pytest.fixture
def web(app):
    return Web(app)


def _goal_row(index: int, description: str, threshold: str, **extra) -> dict:
    row = {
        f"goals-{index}-description": description,
        f"goals-{index}-target_kind": "measure",
        f"goals-{index}-instrument": "csi4",
        f"goals-{index}-who": "each",
        f"goals-{index}-comparator": "at_least",
        f"goals-{index}-threshold": threshold,
    }
    row.update({f"goals-{index}-{k}": v for k, v in extra.items()})
    return row


def _plan_form(review_on, *rows) -> dict:
    data = {"presenting_problems": "Withdrawal after conflict.", "interventions": "EFT."}
    data["review_on"] = review_on.isoformat()
    for row in rows:
        data.update(row)
    return data


def _start(web) -> str:
    client = web.clients["therapist"]
    response = client.post(f"/couples/{web.ids['couple']}/plan")
    assert response.status_code == 302 and response.location.endswith("/edit")
    return response.location


class _Id:
    def __init__(self, id: int) -> None:
        self.id = id


def _supervised_note(therapist, supervisor, couple) -> _Id:
    supervise(therapist, supervisor)
    return _Id(make_note(therapist, couple, signed=True).id)


def test_a_goal_without_a_target_is_a_field_error_and_nothing_typed_is_lost(web):
    client = web.clients["therapist"]
    edit = _start(web)
    data = _plan_form(clock.today() + timedelta(days=30), _goal_row(0, "Argue more kindly", ""))
    page = client.post(edit, data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="goals-0-threshold-error"' in html and "measurable target" in html
    assert "Argue more kindly" in html and "Withdrawal after conflict." in html


def test_a_review_date_in_the_past_is_a_field_error(web):
    client = web.clients["therapist"]
    edit = _start(web)
    data = _plan_form(clock.today() - timedelta(days=1), _goal_row(0, "Closer", "14"))
    page = client.post(edit, data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="review_on-error"' in html and "in the past" in html
    assert "Closer" in html and "Withdrawal after conflict." in html  # nothing typed is lost


def test_write_sign_amend_and_export_a_plan(web):
    client = web.clients["therapist"]
    edit = _start(web)
    data = _plan_form(clock.today() + timedelta(days=30), _goal_row(0, "Feel closer", "14"))
    saved = client.post(edit, data=data)
    assert saved.status_code == 302
    version = saved.location
    page = client.get(version).get_data(as_text=True)
    assert "of each partner at or above 14" in page and "Draft: not signed yet." in page
    assert client.post(version + "/sign", data=YES).status_code == 302
    assert "Signature verified" in client.get(version).get_data(as_text=True)
    pdf = client.get(version + "/pdf")
    assert pdf.headers["Cache-Control"] == "no-store"
    text = pdf_text(pdf.data)
    assert "Feel closer" in text and "Electronically signed by Robin Hale" in text
    amended = client.post(version + "/amend")
    assert amended.status_code == 302 and amended.location.endswith("/edit")
    page = client.get(version).get_data(as_text=True)
    assert "This is an earlier version" in page
    actions = web.actions()
    assert {"plan.view", "plan.sign", "plan.export_pdf", "plan.amend"} <= actions


def test_the_overview_shows_progress_toward_each_goal(web):
    def setup(therapist, supervisor, couple):
        make_plan(therapist, couple, signed=True)
        schedule = make_schedule(couple, starts_on=clock.today() - timedelta(days=7))
        make_response(schedule, partner(couple, "A"), 0, total=14)
        make_response(schedule, partner(couple, "B"), 0, total=9)

    web.given(setup)
    html = web.clients["therapist"].get(f"/couples/{web.ids['couple']}").get_data(as_text=True)
    assert "Treatment plan goals" in html
    assert "Not yet</strong>: Partner A: 14, Partner B: 9" in html


def test_today_lists_plans_due_for_review(web):
    version_id = web.given(lambda t, s, c: make_plan(t, c, signed=True).id)
    client = web.clients["therapist"]
    assert "Treatment plans due for review" in client.get("/today").get_data(as_text=True)
    # 30 days ahead: not due; 7 days ahead: due.
    assert f"/plans/{version_id}" not in client.get("/today").get_data(as_text=True)
    web.given(
        lambda t, s, c: db.session.execute(
            PlanVersion.__table__.update()
            .where(PlanVersion.id == version_id)
            .values(review_on=clock.today() + timedelta(days=7))
        )
    )
    assert f"/plans/{version_id}" in client.get("/today").get_data(as_text=True)


def test_partners_never_reach_a_plan(web):
    version_id = web.given(lambda t, s, c: make_plan(t, c, signed=True).id)
    client = web.clients["a"]
    for url in (
        f"/couples/{web.ids['couple']}/plan",
        f"/plans/{version_id}",
        f"/plans/{version_id}/pdf",
    ):
        assert client.get(url).status_code in (403, 404)
    assert "Feel closer" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_supervised_note_is_cosigned_by_the_supervisor_and_both_signatures_print(web):
    note = web.given(_supervised_note)
    author, supervisor = web.clients["therapist"], web.clients["supervisor"]
    assert "Awaiting co-signature" in author.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Awaiting your co-signature" in supervisor.get("/today").get_data(as_text=True)
    queue = supervisor.get("/supervision").get_data(as_text=True)
    assert f"/supervision/notes/{note.id}" in queue
    # The author pressing "co-sign" is refused with a message, not an error page.
    refused = author.post(f"/supervision/notes/{note.id}/cosign", follow_redirects=True)
    assert refused.status_code == 200 and "Only the supervisor" in refused.get_data(as_text=True)
    done = supervisor.post(f"/supervision/notes/{note.id}/cosign", follow_redirects=True)
    assert "Co-signed. The note is final." in done.get_data(as_text=True)
    comment = supervisor.post(
        f"/supervision/notes/{note.id}/comments", data={"body": "Good risk screening."}
    )
    assert comment.status_code == 302
    page = author.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Co-signed by Sam Supervisor" in page and "Good risk screening." in page
    text = pdf_text(author.get(f"/notes/{note.id}/pdf").data)
    assert "Electronically signed by Robin Hale" in text and "Co-signed by Sam Supervisor" in text
    actions = web.actions()
    assert {"supervision.cosign", "supervision.comment", "supervision.queue"} <= actions


def test_an_empty_comment_is_a_field_error(web):
    note = web.given(_supervised_note)
    page = web.clients["supervisor"].post(f"/supervision/notes/{note.id}/comments", data={})
    assert page.status_code == 422 and 'id="body-error"' in page.get_data(as_text=True)


def test_a_supervisor_reads_only_what_was_sent_to_them(web):
    note = web.given(lambda t, s, c: _Id(make_note(t, c, signed=True).id))  # not supervised
    supervisor = web.clients["supervisor"]
    assert supervisor.get(f"/supervision/notes/{note.id}").status_code == 404
    assert supervisor.get(f"/notes/{note.id}").status_code == 404


def test_query_budgets_of_the_new_pages(web, count_queries):
    def setup(therapist, supervisor, couple):
        supervise(therapist, supervisor)
        for days in range(1, 4):
            make_note(
                therapist, couple, signed=True, session_date=clock.today() - timedelta(days=days)
            )
        return _Id(make_plan(therapist, couple, signed=True).id)

    version = web.given(setup)
    author, supervisor = web.clients["therapist"], web.clients["supervisor"]
    budgets = [
        (author, f"/plans/{version.id}", 14),
        (supervisor, "/supervision", 8),
        (supervisor, f"/supervision/plans/{version.id}", 14),
    ]
    for client, url, budget in budgets:
        client.get(url)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert q.count <= budget, (url, q.count, q.statements)
