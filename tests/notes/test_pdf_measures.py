"""The measure chart in a note's PDF: frozen at the session date, cached safely, fetches nothing."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import clock
from tests.factories import partner
from tests.measures.factories import make_response, make_schedule
from tests.notes.factories import make_note
from tests.notes.test_pdf import pdf_text
from tests.pdf.conftest import canary, canary_server  # noqa: F401 - fixtures used below
from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.measures import note_charts, progress
from therapy_portal.models.notes import NoteExport
from therapy_portal.notes import copies, export, jobs, records
from therapy_portal.ui import dates

SESSION = clock.today() - timedelta(days=3)
CSI4 = "Couples Satisfaction Index (CSI-4)"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def measured(people):
    """Named partners with CSI-4 answers in the three weeks up to the session date (inclusive)."""
    couple = people["couple"]
    ana, ben = partner(couple, "A"), partner(couple, "B")
    ana.name, ben.name = "Ana Lopez", "Ben Kim"
    schedule = make_schedule(couple, starts_on=SESSION - timedelta(days=14))
    for index, (a_total, b_total) in enumerate([(8, 6), (11, 9), (16, 12)]):
        make_response(schedule, ana, index, total=a_total)
        make_response(schedule, ben, index, total=b_total)
    db.session.flush()
    return {"schedule": schedule, "ana": ana, "ben": ben}


def _must_not_draw(*args, **kwargs):
    raise AssertionError("the chart was drawn")


def _charts(people, session_date=SESSION, **kwargs):
    therapist = people["therapist"]
    couple = policy.couple_for_therapist_or_404(therapist, people["couple"].id)  # with members
    return note_charts.note_charts(
        therapist, couple, session_date, therapist.practice.timezone, **kwargs
    )


def test_note_pdf_draws_the_chart_of_both_partners_with_a_caption(people, measured):
    therapist = people["therapist"]
    note = make_note(therapist, people["couple"], signed=True, session_date=SESSION)
    db.session.commit()
    text = _flat(pdf_text(export.export_note_pdf(therapist, note.id).pdf))
    assert "Measures" in text and "Answers taken on or before the session date." in text
    assert f"{CSI4}." in text  # the caption's title
    assert "Ana Lopez 16" in text and "Ben Kim 12" in text  # the caption's latest totals
    # Drawn from the SVG itself: the legend and the cut-off line.
    assert "Gap between partners" in text and "Distress cut-off (13.5)" in text
    assert text.count("Ana Lopez") >= 2 and text.count("Ben Kim") >= 2


def test_chart_alt_text_and_summary_name_each_partners_latest_total(people, measured):
    (chart,) = _charts(people)
    assert chart.asset_name == "chart-csi4.svg" and chart.title == CSI4
    assert chart.svg.startswith(b"<svg") and b"Ana Lopez" in chart.svg
    assert chart.alt.startswith(f"Line chart of {CSI4} totals over time for Ana Lopez and Ben Kim")
    day = SESSION.isoformat()
    assert f"Ana Lopez 16 (period starting {day})" in chart.alt
    assert f"Ben Kim 12 (period starting {day})" in chart.summary
    assert "higher is better" in chart.summary and "<" not in chart.alt + chart.summary
    assert _charts(people)[0].svg == chart.svg  # deterministic: safe in the PDF cache key


def test_a_couple_without_answers_has_no_measures_section(people):
    therapist = people["therapist"]
    make_schedule(people["couple"], starts_on=SESSION - timedelta(days=7))  # scheduled, unanswered
    note = make_note(therapist, people["couple"], signed=True, session_date=SESSION)
    db.session.commit()
    assert _charts(people) == []
    text = _flat(pdf_text(export.export_note_pdf(therapist, note.id).pdf))
    assert "Measures" not in text and "CSI-4" not in text and "Distress cut-off" not in text


def test_answers_after_the_session_date_are_not_charted(people, measured):
    schedule, ana = measured["schedule"], measured["ana"]
    later = make_response(schedule, ana, 3, total=21)
    later_day = schedule.period_start(3)
    (chart,) = _charts(people)
    # The chart writes its periods as days ("5 Dec", or "Sat 5 Dec 2026" across years).
    shown = re.compile(
        f">({re.escape(dates.day_month(later_day))}|{re.escape(dates.day(later_day))})<"
    )
    assert not shown.search(chart.svg.decode()) and "Ana Lopez 16" in chart.summary
    (after,) = _charts(people, session_date=schedule.period_start(3))
    assert shown.search(after.svg.decode()) and "Ana Lopez 21" in after.summary
    assert later.id  # the later answer exists; it is just not part of the earlier note


def test_the_session_date_is_the_practice_local_day_inclusive(people, measured):
    """New York: 23:30 on the session date is in; 00:30 the next local day is out."""
    schedule, ben = measured["schedule"], measured["ben"]
    late = make_response(schedule, ben, 3, total=20)
    local = datetime.combine(SESSION, time(23, 30), tzinfo=ZoneInfo("America/New_York"))
    late.taken_at = local.astimezone(UTC)  # already the next day in UTC
    db.session.flush()
    assert "Ben Kim 20" in _charts(people)[0].summary
    late.taken_at += timedelta(hours=1)  # 00:30 the next local day
    db.session.flush()
    assert "Ben Kim 12" in _charts(people)[0].summary


def test_a_signed_notes_pdf_stays_cached_when_later_answers_arrive(people, measured, monkeypatch):
    therapist = people["therapist"]
    note = make_note(therapist, people["couple"], signed=True, session_date=SESSION)
    db.session.commit()
    first = export.export_note_pdf(therapist, note.id)
    make_response(measured["schedule"], measured["ana"], 3, total=21)  # after the session
    db.session.commit()
    with monkeypatch.context() as patched:  # a cache hit does not even draw the chart
        patched.setattr(progress, "progress_chart_svg", _must_not_draw)
        second = export.export_note_pdf(therapist, note.id)
    assert not first.cached and second.cached and second.sha256 == first.sha256
    # The chart is part of the cache key: what it draws changing renders afresh.
    measured["ana"].name = "Ana Lopez-Reyes"
    db.session.commit()
    third = export.export_note_pdf(therapist, note.id)
    assert not third.cached and "Ana Lopez-Reyes" in _flat(pdf_text(third.pdf))


def test_a_partners_copy_charts_only_that_partner(app, people, measured):
    (chart,) = _charts(people, partner_label="A")
    assert b"Ana Lopez" in chart.svg and b"Ben Kim" not in chart.svg
    assert b"Gap between partners" not in chart.svg and "Ben Kim" not in chart.summary
    therapist, couple = people["therapist"], people["couple"]
    note = make_note(therapist, couple, signed=True, session_date=SESSION)
    records.record_authorization(therapist, couple, "A", "verbal", clock.today())
    job = records.start_release(therapist, couple, "A", copies.fingerprint(therapist, couple, "A"))
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    path = jobs.export_dir(app) / db.session.get(NoteExport, job.id).file_name
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    text = _flat(pdf_text(archive.read(f"session-note-{note.id}.pdf")))
    assert "Ana Lopez 16" in text and "Ben Kim" not in text and "Gap between partners" not in text


def test_the_full_couple_zip_charts_both_partners(app, people, measured):
    therapist, couple = people["therapist"], people["couple"]
    note = make_note(therapist, couple, signed=True, session_date=SESSION)
    job = jobs.start_couple_export(therapist, couple)
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    path = jobs.export_dir(app) / db.session.get(NoteExport, job.id).file_name
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    text = _flat(pdf_text(archive.read(f"session-note-{note.id}.pdf")))
    assert "Ana Lopez 16" in text and "Ben Kim 12" in text


def test_hostile_names_and_text_with_a_chart_fetch_nothing(people, measured, canary):  # noqa: F811
    """Fail-closed rendering (the notes area's test config): any refused URL would abort."""
    therapist = people["therapist"]
    measured["ana"].name = f'Ana <img src="{canary.url("/name")}">'
    note = make_note(
        therapist,
        people["couple"],
        signed=True,
        session_date=SESSION,
        interventions=f'<img src="{canary.url("/text")}"> <svg><image href="{canary.url("/s")}"/>',
    )
    db.session.commit()
    text = _flat(pdf_text(export.export_note_pdf(therapist, note.id).pdf))
    assert canary.hits == []
    assert "Ana <img" in text and "Ben Kim 12" in text


def test_pdf_export_queries_do_not_grow_with_the_number_of_answers(people, count_queries):
    therapist, couple = people["therapist"], people["couple"]
    ana, ben = partner(couple, "A"), partner(couple, "B")
    few_schedule = make_schedule(couple, starts_on=SESSION - timedelta(days=70))
    make_response(few_schedule, ana, 0, total=9)
    few = make_note(therapist, couple, signed=True, session_date=SESSION - timedelta(days=60))
    many = make_note(therapist, couple, signed=True, session_date=SESSION)
    for index in range(1, 10):
        make_response(few_schedule, ana, index, total=5 + index)
        make_response(few_schedule, ben, index, total=3 + index)
    db.session.commit()
    with count_queries() as one:
        export.export_note_pdf(therapist, few.id)
        db.session.commit()  # each export pays for its own audit event
    with count_queries() as lots:
        export.export_note_pdf(therapist, many.id)
        db.session.commit()  # each export pays for its own audit event
    assert one.count == lots.count


def test_a_partners_copy_leaves_out_the_digest_with_the_other_partners_scores(
    app, people, measured
):
    therapist, couple = people["therapist"], people["couple"]
    from therapy_portal.measures.digest import measure_changes_since

    digest = "\n".join(measure_changes_since(couple, None, SESSION))
    assert "Ben Kim" in digest  # the therapist's digest names both partners' totals
    note = make_note(therapist, couple, signed=True, session_date=SESSION, digest=digest)
    records.record_authorization(therapist, couple, "A", "verbal", clock.today())
    full = export.export_note_pdf(therapist, note.id)  # the therapist's own copy keeps it
    assert "Ben Kim" in _flat(pdf_text(full.pdf))
    job = records.start_release(therapist, couple, "A", copies.fingerprint(therapist, couple, "A"))
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    path = jobs.export_dir(app) / db.session.get(NoteExport, job.id).file_name
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    text = _flat(pdf_text(archive.read(f"session-note-{note.id}.pdf")))
    assert "Ben Kim" not in text and "Partner B" not in text
    assert "Left out of this partner's copy" in text
