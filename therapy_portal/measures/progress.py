"""The therapist's view of a couple's measures: one chart and table per instrument.

Each partner is a line; the distress cut-off, the gap between partners and reliable changes
(Jacobson–Truax against the partner's first answer, computed from configurable norms; shown as
"reliable change (computed)") are drawn, wide for screens and PDFs and narrow for phones.
A fixed number of queries whatever the number of responses.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

from therapy_portal import audit, policy
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS, Instrument, reliable_change
from therapy_portal.measures.change import JT_LABEL, ChangeDirection
from therapy_portal.measures.charts import progress_chart_svg, progress_table
from therapy_portal.measures.instruments import Direction
from therapy_portal.measures.safety import FLAG_LABELS, alert_for_response
from therapy_portal.measures.services import couple_schedules
from therapy_portal.models import Couple, User
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule, SafetyAlert
from therapy_portal.ui import dates


@dataclass(frozen=True)
class ReliableMark:
    partner: str
    label: str  # the period's start date, ISO
    pre: int
    post: int
    direction: ChangeDirection  # improved or worsened


@dataclass
class InstrumentProgress:
    instrument: Instrument
    series: dict[str, list[tuple[str, float]]]
    x_labels: list[str]
    marks: list[ReliableMark] = field(default_factory=list)
    response_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (partner, label)
    svg: str = ""  # the chart, also usable in a PDF
    svg_small: str = ""  # the same chart drawn for a phone's width (larger text)

    @property
    def has_data(self) -> bool:
        return any(self.series.values())

    @property
    def chart_src(self) -> str:
        """The SVG as a data URI for an <img>: its own styles then apply under a strict CSP."""
        return _data_uri(self.svg)

    @property
    def chart_src_small(self) -> str:
        return _data_uri(self.svg_small or self.svg)

    @property
    def chart_alt(self) -> str:
        names = " and ".join(self.series)
        return (
            f"Line chart of {self.instrument.name} totals over time for {names}. "
            "The table below has the same figures."
        )

    @property
    def show_gap(self) -> bool:
        return len(self.series) == 2

    @property
    def table(self) -> list[tuple[str, ...]]:
        """Rows for the screen-reader table (first row: headers), reliable changes spelled out."""
        rows = [
            list(r)
            for r in progress_table(self.series, x_labels=self.x_labels, show_gap=self.show_gap)
        ]
        rows[0][0] = "Period starting"
        names = list(self.series)
        for mark in self.marks:
            row = next(r for r in rows[1:] if r[0] == mark.label)
            column = 1 + names.index(mark.partner)
            row[column] += f" (reliable change: {mark.direction})"
        return [tuple(r) for r in rows]

    @property
    def range_text(self) -> str:
        inst = self.instrument
        better = "higher" if inst.direction == Direction.HIGHER_IS_BETTER else "lower"
        text = f"Totals run from {inst.min_total} to {inst.max_total}; {better} is better."
        if inst.cutoff is not None:
            text += f" Below {inst.cutoff:g} suggests notable relationship distress."
        return text


@dataclass
class CoupleProgress:
    couple: Couple
    schedules: list[MeasureSchedule]
    instruments: list[InstrumentProgress]
    reliable_change_label: str = JT_LABEL


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def partner_names(couple: Couple) -> dict[int, str]:
    names: dict[int, str] = {}
    for member in couple.members:
        name = member.user.name
        if name in names.values():
            name = f"{name} ({member.label})"
        names[member.user_id] = name
    return names


def couple_progress(actor: User, couple: Couple) -> CoupleProgress:
    """Charts and tables of every instrument the couple answered or is scheduled for (audited)."""
    if not policy.can_view_measures(actor, couple):
        raise NotAllowed("not found")
    schedules = couple_schedules(actor, couple)
    by_id = {s.id: s for s in schedules}
    responses = db.session.scalars(
        policy.responses_for_therapist(actor, couple.id).order_by(
            MeasureResponse.taken_at, MeasureResponse.id
        )
    ).all()
    names = partner_names(couple)
    keys = {s.instrument for s in schedules if s.active} | {r.instrument for r in responses}
    result = [
        instrument_progress(INSTRUMENTS[key], responses, names, by_id)
        for key in INSTRUMENTS
        if key in keys
    ]
    audit.record(
        "measures.view",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        count=len(responses),
    )
    return CoupleProgress(couple, schedules, result)


def instrument_progress(
    inst: Instrument,
    responses: Sequence[MeasureResponse],
    names: dict[int, str],
    schedules: dict[int, MeasureSchedule],
    *,
    draw: bool = True,
    chart_id: str | None = None,
) -> InstrumentProgress:
    """One instrument's series, reliable changes and chart (no queries, no audit).

    ``responses`` are in ``taken_at`` order; ``names`` maps partner ids to display names (only
    those partners are drawn); ``schedules`` maps schedule ids to schedules (period labels);
    ``draw=False`` leaves ``svg`` empty for `draw_chart` to fill later; ``chart_id`` makes the
    SVG deterministic (see `progress_chart_svg`).
    """
    series: dict[str, dict[str, float]] = {name: {} for name in names.values()}
    ids: dict[tuple[str, str], int] = {}
    for response in responses:
        if response.instrument != inst.key or response.partner_id not in names:
            continue
        label = schedules[response.schedule_id].period_start(response.period_index).isoformat()
        series[names[response.partner_id]][label] = response.total
        ids[(names[response.partner_id], label)] = response.id
    progress = InstrumentProgress(
        inst,
        {n: sorted(points.items()) for n, points in series.items()},
        sorted({label for points in series.values() for label in points}),
        response_ids=ids,
    )
    _mark_reliable_changes(progress)
    if draw:
        draw_chart(progress, chart_id=chart_id)
        if progress.has_data:
            progress.svg_small = _render(progress, chart_id, width=400, height=360)
    return progress


def draw_chart(progress: InstrumentProgress, *, chart_id: str | None = None) -> str:
    """Draw (once) and return the chart of ``progress``; empty when nobody answered."""
    if progress.has_data and not progress.svg:
        progress.svg = _render(progress, chart_id)
    return progress.svg


def _render(
    progress: InstrumentProgress, chart_id: str | None, width: int = 800, height: int = 400
) -> str:
    """The chart on the instrument's whole scale, with its cut-off and reliable changes."""
    inst = progress.instrument
    return progress_chart_svg(
        inst.name,
        progress.series,
        inst.cutoff,
        {
            name: [
                i
                for i, (lab, _) in enumerate(progress.series[name])
                if any(m.partner == name and m.label == lab for m in progress.marks)
            ]
            for name in progress.series
        },
        (inst.min_total, inst.max_total),
        show_gap=progress.show_gap,
        x_labels=progress.x_labels,
        cutoff_label="Distress cut-off",
        shown_labels=dates.period_labels,
        width=width,
        height=height,
        chart_id=chart_id if chart_id is None or width == 800 else f"{chart_id}-{width}",
    )


def _mark_reliable_changes(progress: InstrumentProgress) -> None:
    """Mark each answer that differs reliably from the partner's first answer."""
    for name, points in progress.series.items():
        if len(points) < 2:
            continue
        baseline = points[0][1]
        for label, value in points[1:]:
            change = reliable_change(baseline, value, instrument=progress.instrument.key)
            if change.reliable:
                progress.marks.append(
                    ReliableMark(name, label, int(baseline), int(value), change.direction)
                )


@dataclass(frozen=True)
class ResponseDetail:
    response: MeasureResponse
    instrument: Instrument | None
    partner_label: str
    items: list[tuple[str, str, int]]  # (question, chosen answer as printed, score)
    period_start: str
    alert: SafetyAlert | None

    @property
    def alert_reason(self) -> str:
        return FLAG_LABELS.get(self.alert.kind, self.alert.kind) if self.alert else ""


def response_detail(actor: User, response: MeasureResponse, couple: Couple) -> ResponseDetail:
    """One response item by item, for the couple's therapist (audited)."""
    inst = INSTRUMENTS.get(response.instrument)
    items = []
    for number_text, value in sorted(response.answers.items(), key=lambda kv: int(kv[0])):
        number = int(number_text)
        item = inst.item(number) if inst and number <= len(inst.items) else None
        question = item.text if item and item.text else f"Item {number}"
        chosen = (
            next((label for s, label in item.options if s == value), str(value))
            if item
            else str(value)
        )
        items.append((f"{number}. {question}", chosen, value))
    label = next((m.label for m in couple.members if m.user_id == response.partner_id), "?")
    audit.record(
        "measure_response.view",
        actor=actor,
        object_type="measure_response",
        object_id=response.id,
        couple_id=response.couple_id,
        instrument=response.instrument,
    )
    return ResponseDetail(
        response,
        inst,
        label,
        items,
        response.schedule.period_start(response.period_index).isoformat(),
        alert_for_response(actor, response.id),
    )
