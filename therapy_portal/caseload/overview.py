"""The couple at a glance: what the couple page's Overview tab reads, in a fixed number of
statements whatever the caseload's or the couple's size.

Each part reads only this couple's rows through the policy's therapist-scoped selects; the view
has already loaded the couple through `couple_for_therapist_or_404`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from therapy_portal import policy
from therapy_portal.caseload.listing import InvitationInfo, invitation_status
from therapy_portal.extensions import db
from therapy_portal.homework.services import counts_for_couples, quality_history
from therapy_portal.homework.services.common import practice_today
from therapy_portal.homework.services.quality import Rated
from therapy_portal.measures import INSTRUMENTS
from therapy_portal.measures.charts import sparkline_points, sparkline_y
from therapy_portal.measures.outcome_alerts import OutcomeRow, open_outcome_alerts
from therapy_portal.measures.safety import FLAG_LABELS
from therapy_portal.models import Couple, User
from therapy_portal.models.homework import Assignment, AssignmentStatus, Occurrence
from therapy_portal.models.measures import MeasureResponse, SafetyAlert
from therapy_portal.models.notes import NoteStatus, SessionNote
from therapy_portal.plans.progress import PlanProgress, plan_progress
from therapy_portal.policy import consent_status

TREND_POINTS = 8  # answers per partner and instrument in the small trend
COMPLETION_WEEKS = 8


@dataclass(frozen=True)
class Tab:
    label: str
    endpoint: str


# The couple page's tabs, each a link to the page that already exists for that couple. The lead
# adds "Messages" (messages area) and points "Sessions & notes" at the appointments page when
# those areas land.
TABS = [
    Tab("Overview", "caseload.detail"),
    Tab("Homework", "homework.couple_homework"),
    Tab("Check-ins", "measures.progress_page"),
    Tab("Plan", "plans.couple_plan"),
    Tab("Sessions & notes", "appointments.couple_sessions"),
    Tab("Messages", "messages.couple_threads"),
    Tab("Records", "notes.records_request"),
]


def tabs(couple: Couple, current: str) -> list[tuple[Tab, bool]]:
    return [(tab, tab.endpoint == current) for tab in TABS]


@dataclass(frozen=True)
class PartnerGlance:
    label: str
    name: str
    email: str
    invitation: InvitationInfo | None
    last_sign_in: datetime | None


@dataclass(frozen=True)
class Score:
    total: int
    response_id: int
    taken_at: datetime


@dataclass(frozen=True)
class InstrumentGlance:
    key: str
    name: str
    latest: dict[str, Score]  # by partner label
    trends: dict[str, list[int]]  # by partner label, oldest first
    gap: int | None  # between the partners' latest totals, when both answered
    scale: tuple[int, int] | None = None  # the instrument's whole range of totals
    cutoff: float | None = None  # its distress cut-off, drawn dashed on the sparkline

    def line(self, label: str) -> str:
        values = self.trends.get(label, [])
        return sparkline_points(values, self.scale) if self.scale else sparkline(values)

    @property
    def cutoff_y(self) -> str:
        """The cut-off's height in the sparkline, or '' when there is none to draw."""
        if self.cutoff is None or self.scale is None:
            return ""
        return f"{sparkline_y(self.cutoff, self.scale):.1f}"


@dataclass(frozen=True)
class WeekDone:
    starts_on: date
    done: int
    due: int


@dataclass(frozen=True)
class AlertGlance:
    label: str
    reason: str
    response_id: int
    created_at: datetime


@dataclass(frozen=True)
class Glance:
    partners: list[PartnerGlance]
    scores: list[InstrumentGlance]
    weeks: list[WeekDone]
    to_review: int
    overdue: int
    last_note: Any | None  # (id, session date, signer name, signed at)
    alerts: list[AlertGlance]
    outcomes: list[OutcomeRow]
    quality: dict[str, list[Rated]]  # by slot (A, B, J), oldest first
    consents: consent_status.CoupleConsents | None = None
    plan: PlanProgress | None = None  # progress toward the current plan's goals

    @property
    def completion(self) -> tuple[int, int]:
        return sum(w.done for w in self.weeks), sum(w.due for w in self.weeks)


def at_a_glance(actor: User, couple: Couple) -> Glance:
    """Everything the Overview tab shows, a fixed number of statements at any size."""
    invitations = invitation_status(couple)
    partners = [
        PartnerGlance(
            m.label, m.user.name, m.user.email, invitations.get(m.label), m.user.last_login_at
        )
        for m in sorted(couple.members, key=lambda m: m.label)
    ]
    labels = {m.user_id: m.label for m in couple.members}
    counts = counts_for_couples(actor, [couple.id]).get(couple.id)
    scores = _scores(actor, couple, labels)
    latest = {s.key: {label: p.total for label, p in s.latest.items()} for s in scores}
    return Glance(
        partners,
        scores,
        _weeks(actor, couple),
        counts.to_review if counts else 0,
        counts.overdue if counts else 0,
        _last_note(actor, couple),
        _alerts(actor, couple, labels),
        open_outcome_alerts(actor, couple.id),
        quality_history(actor, couple),
        consent_status.for_therapist(couple),
        plan_progress(actor, couple, latest),
    )


def _scores(actor: User, couple: Couple, labels: dict[int, str]) -> list[InstrumentGlance]:
    newest_first = (
        func.row_number()
        .over(
            partition_by=(MeasureResponse.partner_id, MeasureResponse.instrument),
            order_by=(MeasureResponse.taken_at.desc(), MeasureResponse.id.desc()),
        )
        .label("n")
    )
    ranked = (
        policy.responses_for_therapist(actor, couple.id)
        .with_only_columns(
            MeasureResponse.id,
            MeasureResponse.partner_id,
            MeasureResponse.instrument,
            MeasureResponse.total,
            MeasureResponse.taken_at,
            newest_first,
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranked)
        .where(ranked.c.n <= TREND_POINTS)
        .order_by(ranked.c.instrument, ranked.c.partner_id, ranked.c.n.desc())
    ).all()
    by_instrument: dict[str, dict[str, list[Score]]] = {}
    for response_id, partner_id, instrument, total, taken_at, _ in rows:
        label = labels.get(partner_id)
        if label is not None:
            series = by_instrument.setdefault(instrument, {}).setdefault(label, [])
            series.append(Score(total, response_id, taken_at))
    glances = []
    for key, series in sorted(by_instrument.items()):
        latest = {label: points[-1] for label, points in series.items()}
        both = [latest[x].total for x in ("A", "B") if x in latest]
        inst = INSTRUMENTS.get(key)
        glances.append(
            InstrumentGlance(
                key,
                inst.name if inst else key.upper(),
                latest,
                {label: [p.total for p in points] for label, points in series.items()},
                abs(both[0] - both[1]) if len(both) == 2 else None,
                (inst.min_total, inst.max_total) if inst else None,
                inst.cutoff if inst else None,
            )
        )
    return glances


def _weeks(actor: User, couple: Couple) -> list[WeekDone]:
    """Homework due in each of the last eight weeks (ending today) and how much was done."""
    today = practice_today(actor)
    first = today - timedelta(days=7 * COMPLETION_WEEKS - 1)
    members = len(couple.members) or 1
    rows = db.session.execute(
        policy.occurrences_for_therapist(actor)
        .join(Assignment, Assignment.id == Occurrence.assignment_id)
        .where(
            Occurrence.couple_id == couple.id,
            Occurrence.due_on.between(first, today),
            Assignment.status == AssignmentStatus.ACTIVE,
        )
        .with_only_columns(Occurrence.due_on, Occurrence.submitted_count, Assignment.mode)
    ).all()
    weeks = [[0, 0] for _ in range(COMPLETION_WEEKS)]
    for due_on, submitted, mode in rows:
        week = weeks[(due_on - first).days // 7]
        week[1] += 1
        week[0] += submitted >= (1 if mode == "joint" else members)
    return [
        WeekDone(first + timedelta(days=7 * i), done, due) for i, (done, due) in enumerate(weeks)
    ]


def _last_note(actor: User, couple: Couple):
    return db.session.execute(
        policy.notes_for_therapist(actor)
        .where(SessionNote.couple_id == couple.id, SessionNote.status == NoteStatus.SIGNED)
        .with_only_columns(
            SessionNote.id, SessionNote.session_date, SessionNote.signer_name, SessionNote.signed_at
        )
        .order_by(SessionNote.session_date.desc(), SessionNote.id.desc())
        .limit(1)
    ).first()


def _alerts(actor: User, couple: Couple, labels: dict[int, str]) -> list[AlertGlance]:
    rows = db.session.execute(
        policy.alerts_for_therapist(actor)
        .where(SafetyAlert.couple_id == couple.id, SafetyAlert.acknowledged_at.is_(None))
        .with_only_columns(
            SafetyAlert.partner_id,
            SafetyAlert.kind,
            SafetyAlert.response_id,
            SafetyAlert.created_at,
        )
        .order_by(SafetyAlert.created_at, SafetyAlert.id)
    ).all()
    return [
        AlertGlance(labels.get(pid, "?"), FLAG_LABELS.get(kind, kind), rid, at)
        for pid, kind, rid, at in rows
    ]


def sparkline(values: list[int], width: int = 96, height: int = 24) -> str:
    """The points of an SVG polyline for a small trend (numbers only, no user text)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
    )


__all__ = ["TABS", "Glance", "at_a_glance", "sparkline", "tabs"]
