"""The therapist's progress data and the session-note digest lines, without HTTP."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
from sqlalchemy import select

from tests.measures.conftest import MONDAY
from tests.measures.factories import make_response, make_schedule
from therapy_portal import policy
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.measures import progress
from therapy_portal.measures.digest import measure_changes_since, record_lines
from therapy_portal.measures.safety import raise_safety_alert
from therapy_portal.models import AuditEvent
from therapy_portal.ui import dates

START = MONDAY - timedelta(weeks=3)


def _couple(setup):
    """The couple as views load it: through the therapist's scoped loader."""
    return policy.couple_for_therapist_or_404(setup.therapist, setup.couple.id)


def _weekly(setup, a_totals, b_totals):
    schedule = make_schedule(setup.couple, starts_on=START)
    for index, total in enumerate(a_totals):
        make_response(schedule, setup.a, index, total=total)
    for index, total in enumerate(b_totals):
        make_response(schedule, setup.b, index, total=total)
    return schedule


def test_progress_has_a_line_per_partner_with_gap_cutoff_and_reliable_changes(setup):
    _weekly(setup, [8, 10, 14], [15, 16])
    data = progress.couple_progress(setup.therapist, _couple(setup))
    (csi4,) = data.instruments
    a, b = setup.a.name, setup.b.name
    labels = [(START + timedelta(weeks=i)).isoformat() for i in range(3)]
    assert csi4.series == {
        a: list(zip(labels, [8, 10, 14], strict=True)),
        b: list(zip(labels[:2], [15, 16], strict=True)),
    }
    assert csi4.show_gap and csi4.instrument.cutoff == 13.5
    # csi4 norms: minimum reliable change 3.06 points; 8 -> 10 is noise, 8 -> 14 is not.
    assert [(m.partner, m.label, m.direction) for m in csi4.marks] == [(a, labels[2], "improved")]
    svg = base64.b64decode(csi4.chart_src.split(",", 1)[1]).decode()
    assert svg == csi4.svg and escape(a) in svg and escape(b) in svg
    assert "Distress cut-off (13.5)" in svg and "Gap between partners" in svg
    assert escape(f"{a}: reliable change") in svg
    assert csi4.table == [
        ("Period starting", a, b, "Gap"),
        (labels[0], "8", "15", "7"),
        (labels[1], "10", "16", "6"),
        (labels[2], "14 (reliable change: improved)", "not recorded", "not recorded"),
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "measures.view"))
    assert (event.object_id, event.detail) == (setup.couple.id, {"count": 5})


def test_progress_lists_a_running_schedule_without_answers_and_hides_from_others(setup):
    make_schedule(setup.couple, instrument="gad7", starts_on=MONDAY)
    data = progress.couple_progress(setup.therapist, _couple(setup))
    assert [(i.instrument.key, i.has_data, i.svg) for i in data.instruments] == [
        ("gad7", False, "")
    ]
    for outsider in (setup.a, setup.b):
        with pytest.raises(NotAllowed):
            progress.couple_progress(outsider, _couple(setup))


def test_digest_reports_change_since_last_session_per_partner(setup):
    _weekly(setup, [8, 10, 14], [15, 16])
    since = datetime.combine(START + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    until = datetime.combine(MONDAY + timedelta(days=6), datetime.min.time(), tzinfo=UTC)
    lines = measure_changes_since(setup.couple, since, until)
    start, last = dates.day(START), dates.day(START + timedelta(weeks=1))
    assert lines == [
        f"Couples Satisfaction Index (CSI-4), {setup.a.name}: 8 → 14 (+6) between "
        f"{start} and {dates.day(START + timedelta(weeks=2))}; reliable change, improved "
        "(computed); now at or above the distress cut-off (13.5).",
        f"Couples Satisfaction Index (CSI-4), {setup.b.name}: 15 → 16 (+1) between "
        f"{start} and {last}; no reliable change (computed); "
        "now at or above the distress cut-off (13.5).",
    ]


def test_digest_mentions_missing_check_ins_and_safety_alerts(setup):
    schedule = make_schedule(setup.couple, instrument="phq9", starts_on=MONDAY)
    response = make_response(schedule, setup.a, 0, answers=[0, 0, 0, 0, 0, 0, 0, 0, 1])
    raise_safety_alert(setup.a, response, response.flags)
    lines = measure_changes_since(setup.couple, None, datetime.now(UTC) + timedelta(days=1))
    assert lines[0].startswith(f"Patient Health Questionnaire (PHQ-9), {setup.a.name}: 1 of 27 on ")
    assert lines[0].endswith("; minimal range.")
    assert lines[1] == (
        f"Patient Health Questionnaire (PHQ-9), {setup.b.name}: "
        "no check-in answered since the last session."
    )
    assert lines[2].startswith(f"Safety alert, {setup.a.name}: PHQ-9 question 9")
    assert lines[2].endswith("(not yet acknowledged).")


def test_record_lines_for_one_partner_hold_only_their_own_totals_and_no_flags(setup):
    schedule = make_schedule(setup.couple, instrument="phq9", starts_on=MONDAY)
    response = make_response(schedule, setup.a, 0, answers=[3, 3, 3, 3, 3, 3, 3, 3, 2])
    make_response(schedule, setup.b, 0, answers=[1, 0, 0, 0, 0, 0, 0, 0, 0])
    raise_safety_alert(setup.a, response, response.flags)
    b_copy = record_lines(setup.couple, "B")
    assert len(b_copy) == 1 and "Partner B: 1 of 27" in b_copy[0]
    assert not any("26 of" in line or "Safety" in line for line in b_copy)
    full = record_lines(setup.couple, None)
    assert len(full) == 3 and full[-1].startswith("Safety alert, Partner A")
