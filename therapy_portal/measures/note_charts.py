"""Measure charts for a session note's PDF: frozen at the session date, no request, no audit.

Only responses taken on or before the session date (the end of that day in the practice's time
zone) are drawn, and the SVG carries a fixed id instead of pygal's random one, so the chart of a
signed note never changes afterwards. Its ``fingerprint`` (a hash of everything the chart and its
text show, plus the chart code's version) goes into the PDF cache key; the SVG itself is drawn
only when a render needs it, which keeps a cached re-export cheap. The note export audits the
export; this module only reads. A partner's copy of the record
(``partner_label``) draws that partner's line alone: never the other's scores, and no gap between
them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import pygal

from therapy_portal import policy
from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.measures.progress import (
    InstrumentProgress,
    draw_chart,
    instrument_progress,
    partner_names,
)
from therapy_portal.measures.services import couple_schedules
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates

__all__ = ["MeasureHistory", "NoteChart", "charts_for_note", "load_history", "note_charts"]

# Bump when a change to the chart code changes what a chart looks like for the same data.
CHART_FORMAT = "note-chart-2"  # 2: whole scale on the axis, cut-off drawn for one answer


@dataclass(frozen=True)
class NoteChart:
    """One instrument's chart for a note, as plain values."""

    instrument: str  # the instrument key, e.g. "csi4"
    title: str  # the instrument's name
    asset_name: str  # "chart-<key>.svg": the PDF's app-asset name
    alt: str  # plain text: what the chart shows, with each partner's latest total
    summary: str  # plain text for the caption: latest totals and how to read them
    fingerprint: str  # changes whenever the drawn chart or its text would
    progress: InstrumentProgress = field(repr=False, compare=False)

    @cached_property
    def svg(self) -> bytes:
        """The chart, drawn on first use (deterministic for the same data)."""
        return draw_chart(self.progress, chart_id=f"note-{self.instrument}").encode("utf-8")


@dataclass(frozen=True)
class MeasureHistory:
    """A couple's schedules and responses up to a day, loaded once (two queries) for many notes."""

    names: dict[int, str]  # partner user id -> display name
    labels: dict[int, str]  # partner user id -> "A" / "B"
    schedules: dict[int, MeasureSchedule]
    responses: tuple[MeasureResponse, ...]
    tz: ZoneInfo


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    """The first instant after ``day`` in ``tz``: responses strictly before it count."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def load_history(actor: User, couple: Couple, until: date, timezone: str) -> MeasureHistory | None:
    """Everything needed to chart notes dated up to ``until``; None if ``actor`` may not see it.

    ``couple`` must have its members loaded (the note loaders do).
    """
    if not policy.can_view_measures(actor, couple):
        return None
    tz = practice_zone(timezone)
    schedules = {s.id: s for s in couple_schedules(actor, couple)}
    responses = db.session.scalars(
        policy.responses_for_therapist(actor, couple.id)
        .where(MeasureResponse.taken_at < _end_of(until, tz))
        .order_by(MeasureResponse.taken_at, MeasureResponse.id)
    ).all()
    return MeasureHistory(
        partner_names(couple),
        {m.user_id: m.label for m in couple.members},
        schedules,
        tuple(responses),
        tz,
    )


def charts_for_note(
    history: MeasureHistory | None, session_date: date, *, partner_label: str | None = None
) -> list[NoteChart]:
    """The charts of every instrument answered on or before ``session_date`` (no queries)."""
    if history is None:
        return []
    end = _end_of(session_date, history.tz)
    responses = [r for r in history.responses if r.taken_at < end]
    names = {
        user_id: name
        for user_id, name in history.names.items()
        if partner_label is None or history.labels.get(user_id) == partner_label
    }
    answered = {r.instrument for r in responses if r.partner_id in names}
    day = dates.day(session_date)
    charts = []
    for key in (k for k in INSTRUMENTS if k in answered):
        progress = instrument_progress(
            INSTRUMENTS[key], responses, names, history.schedules, draw=False
        )
        charts.append(_chart(progress, day))
    return charts


def note_charts(
    actor: User,
    couple: Couple,
    session_date: date,
    timezone: str,
    *,
    partner_label: str | None = None,
) -> list[NoteChart]:
    """The charts for one note: responses taken on or before ``session_date``, inclusive."""
    history = load_history(actor, couple, session_date, timezone)
    return charts_for_note(history, session_date, partner_label=partner_label)


def _total(value: float) -> str:
    return f"{value:g}"


def _chart(progress: InstrumentProgress, day: str) -> NoteChart:
    inst = progress.instrument
    latest = []
    for name, points in progress.series.items():
        if points:
            label, value = points[-1]
            latest.append(f"{name} {_total(value)} (period starting {label})")
        else:
            latest.append(f"{name}: no answers")
    latest_text = f"Latest totals up to {day}: " + "; ".join(latest) + "."
    names = " and ".join(progress.series)
    alt = f"Line chart of {inst.name} totals over time for {names}. {latest_text}"
    summary = f"{latest_text} {progress.range_text}"
    drawn = [
        CHART_FORMAT,
        pygal.__version__,
        [inst.key, inst.name, inst.cutoff, inst.min_total, inst.max_total],
        list(progress.series.items()),
        progress.x_labels,
        [[m.partner, m.label, m.pre, m.post, m.direction] for m in progress.marks],
        alt,
        summary,
    ]
    fingerprint = hashlib.sha256(json.dumps(drawn, sort_keys=True).encode()).hexdigest()
    return NoteChart(
        instrument=inst.key,
        title=inst.name,
        asset_name=f"chart-{inst.key}.svg",
        alt=alt,
        summary=summary,
        fingerprint=fingerprint,
        progress=progress,
    )
