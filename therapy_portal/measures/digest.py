"""Measure changes for a session note's "since last session" digest, as plain sentences.

The caller has already authorized the couple (notes load it through the therapist's scoped
loader). This module knows nothing of notes: the notes area calls it (one direction only). Lines
are for the therapist's note: totals, reliable change (computed, labelled so) and safety alerts;
they are never shown to a partner.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.measures import INSTRUMENTS, reliable_change
from therapy_portal.measures.safety import FLAG_LABELS
from therapy_portal.models import Couple, CoupleMember, User
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule, SafetyAlert
from therapy_portal.ui import dates

SECTION_TITLE = "Check-ins (measures)"


def _as_datetime(value: date | datetime, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.max if end else time.min, tzinfo=UTC)


def _status(inst, total: int) -> str:
    if inst.cutoff is not None:
        side = "below" if total < inst.cutoff else "at or above"
        return f"{side} the distress cut-off ({inst.cutoff:g})"
    band = inst.band_for(total)
    return f"{band} range" if band else ""


def measure_changes_since(
    couple: Couple, since: date | datetime | None, until: date | datetime
) -> list[str]:
    """One line per instrument and partner with answers in (since, until], plus safety alerts.

    ``since=None`` means from the first check-in. The comparison point is the partner's last
    answer before ``since`` when there is one, else their first answer in the window.
    """
    start = _as_datetime(since, end=True) if since is not None else None
    stop = _as_datetime(until, end=True)
    members = db.session.execute(
        select(CoupleMember.user_id, CoupleMember.label, User.name)
        .join(User, User.id == CoupleMember.user_id)
        .where(CoupleMember.couple_id == couple.id)
        .order_by(CoupleMember.label)
    ).all()
    responses = db.session.scalars(
        select(MeasureResponse)
        .where(MeasureResponse.couple_id == couple.id, MeasureResponse.taken_at <= stop)
        .order_by(MeasureResponse.taken_at, MeasureResponse.id)
    ).all()
    running = set(
        db.session.scalars(
            select(MeasureSchedule.instrument).where(
                MeasureSchedule.couple_id == couple.id, MeasureSchedule.stopped_at.is_(None)
            )
        )
    )
    lines: list[str] = []
    for key, inst in INSTRUMENTS.items():
        for user_id, _label, name in members:
            own = [r for r in responses if r.instrument == key and r.partner_id == user_id]
            before = [r for r in own if start is not None and r.taken_at <= start]
            window = [r for r in own if start is None or r.taken_at > start]
            who = f"{inst.name}, {name}"
            if window:
                lines.append(
                    _change_line(who, key, inst, before[-1] if before else window[0], window[-1])
                )
            elif key in running:
                lines.append(f"{who}: no check-in answered since the last session.")
    lines.extend(_alert_lines(couple, start, stop, {m[0]: m[2] for m in members}))
    return lines


def _change_line(who: str, key: str, inst, base: MeasureResponse, latest: MeasureResponse) -> str:
    """The latest total, and its change from `base` (reliable or not) when there are two."""
    status = _status(inst, latest.total)
    if base.id == latest.id:
        return (
            f"{who}: {latest.total} of {inst.max_total} on "
            f"{dates.day(latest.taken_at)}"
            f"{'; ' + status if status else ''}."
        )
    change = reliable_change(base.total, latest.total, instrument=key)
    verdict = f"reliable change, {change.direction}" if change.reliable else "no reliable change"
    return (
        f"{who}: {base.total} → {latest.total} ({latest.total - base.total:+d}) between "
        f"{dates.day(base.taken_at)} and {dates.day(latest.taken_at)}; "
        f"{verdict} (computed){'; now ' + status if status else ''}."
    )


def _alert_lines(
    couple: Couple, start: datetime | None, stop: datetime, labels: dict[int, str]
) -> list[str]:
    stmt = select(SafetyAlert).where(
        SafetyAlert.couple_id == couple.id, SafetyAlert.created_at <= stop
    )
    if start is not None:
        stmt = stmt.where(SafetyAlert.created_at > start)
    lines = []
    for alert in db.session.scalars(stmt.order_by(SafetyAlert.created_at)):
        state = (
            f"acknowledged {dates.day(alert.acknowledged_at)}"
            if alert.acknowledged_at
            else "not yet acknowledged"
        )
        lines.append(
            f"Safety alert, {labels.get(alert.partner_id, 'a partner')}: "
            f"{FLAG_LABELS.get(alert.kind, alert.kind)} on "
            f"{dates.day(alert.created_at)} ({state})."
        )
    return lines


def record_lines(couple: Couple, partner_label: str | None) -> list[str]:
    """Every check-in total for a records request: one partner's own, or both (full record).

    A partner's copy holds only their own totals, never the other partner's and never safety
    flags; the full record (authorized by both partners) adds the safety alerts.
    """
    members = db.session.execute(
        select(CoupleMember.user_id, CoupleMember.label).where(CoupleMember.couple_id == couple.id)
    ).all()
    labels = {user_id: label for user_id, label in members}
    stmt = select(MeasureResponse).where(MeasureResponse.couple_id == couple.id)
    if partner_label is not None:
        own = [user_id for user_id, label in members if label == partner_label]
        stmt = stmt.where(MeasureResponse.partner_id.in_(own))
    lines = []
    for r in db.session.scalars(stmt.order_by(MeasureResponse.taken_at, MeasureResponse.id)):
        inst = INSTRUMENTS.get(r.instrument)
        name, top = (inst.name, f" of {inst.max_total}") if inst else (r.instrument, "")
        lines.append(
            f"{dates.day(r.taken_at)}: {name}, Partner "
            f"{labels.get(r.partner_id, '?')}: {r.total}{top}."
        )
    if partner_label is None:
        partners = {user_id: f"Partner {label}" for user_id, label in labels.items()}
        lines.extend(_alert_lines(couple, None, datetime.max.replace(tzinfo=UTC), partners))
    return lines


SECTION_TITLE = "Check-ins (measures)"
