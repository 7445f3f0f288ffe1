"""Outcome alerts: the rules of `measures.outcomes` kept as rows the therapist sees and dismisses.

`evaluate_after_checkin` runs in the transaction of a partner's check-in (three statements, plus
one per change): for the instrument just answered it raises an alert when a rule starts to hold,
refreshes the figures of an alert while it holds, and resolves it when it stops holding. A
dismissed alert stays dismissed for as long as its rule holds; a new episode raises a new alert.
Reading them (Today, the couple overview) is one statement. Raising, resolving, showing and
dismissing are audited. No partner-facing page reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from therapy_portal import audit, policy, prepared
from therapy_portal.errors import InvalidState, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.measures import outcomes
from therapy_portal.models import Couple, CoupleMember, Role, User, utcnow
from therapy_portal.models.appointments import Appointment, AppointmentStatus
from therapy_portal.models.measures import MeasureResponse, OutcomeAlert, OutcomeKind

REASON_REQUIRED = "Please say why you are dismissing this alert (for example what you decided)."
REASON_MAX = 500
REASON_TOO_LONG = f"Please keep the reason under {REASON_MAX} characters."


def _points(couple_id: int, instrument: str) -> list[outcomes.Point]:
    rows = db.session.execute(
        select(
            MeasureResponse.partner_id,
            MeasureResponse.schedule_id,
            MeasureResponse.period_index,
            MeasureResponse.total,
            MeasureResponse.taken_at,
            MeasureResponse.id,
        )
        .where(MeasureResponse.couple_id == couple_id, MeasureResponse.instrument == instrument)
        .order_by(MeasureResponse.taken_at, MeasureResponse.id)
    ).all()
    return [outcomes.Point(*row) for row in rows]


def _attended_since(couple_id: int, since: datetime, now: datetime) -> int:
    return db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.couple_id == couple_id,
            Appointment.status == AppointmentStatus.ATTENDED,
            Appointment.starts_at >= since,
            Appointment.starts_at <= now,
        )
    )


def findings(
    couple_id: int, instrument: str, partner_id: int, now: datetime
) -> dict[tuple[OutcomeKind, int | None], outcomes.Finding | None]:
    """What each rule says now for this partner (rules 1 and 2) and the couple (rule 3)."""
    points = _points(couple_id, instrument)
    own = [p for p in points if p.partner_id == partner_id]
    needed = current_app.config["OUTCOME_NO_IMPROVEMENT_SESSIONS"]
    sessions = _attended_since(couple_id, own[0].taken_at, now) if len(own) > 1 else 0
    return {
        (OutcomeKind.WORSENING, partner_id): outcomes.worsening(own, instrument),
        (OutcomeKind.NO_IMPROVEMENT, partner_id): outcomes.no_improvement(
            own, instrument, sessions, needed
        ),
        (OutcomeKind.WIDENING_GAP, None): outcomes.widening_gap(points, instrument),
    }


def evaluate_after_checkin(actor: User, response: MeasureResponse) -> list[OutcomeAlert]:
    """Bring the couple's alerts for this instrument in line with the rules; the raised ones."""
    now = response.taken_at or utcnow()
    found = findings(response.couple_id, response.instrument, response.partner_id, now)
    active = {
        (a.kind, a.partner_id): a
        for a in db.session.scalars(
            select(OutcomeAlert).where(
                OutcomeAlert.couple_id == response.couple_id,
                OutcomeAlert.instrument == response.instrument,
                OutcomeAlert.resolved_at.is_(None),
            )
        )
    }
    raised = []
    for key, finding in found.items():
        alert = active.get(key)
        if finding is None and alert is not None:
            alert.resolved_at = now
            _audit("outcome_alert.resolve", actor, alert)
        elif finding is not None and alert is not None:
            alert.figures, alert.response_id, alert.updated_at = (
                finding.figures,
                finding.response_id,
                now,
            )
        elif finding is not None:
            raised.append(_raise(actor, response, finding, now))
    return raised


def _raise(
    actor: User, response: MeasureResponse, finding: outcomes.Finding, now: datetime
) -> OutcomeAlert:
    alert = OutcomeAlert(
        practice_id=response.practice_id,
        couple_id=response.couple_id,
        partner_id=finding.partner_id,
        instrument=response.instrument,
        kind=finding.kind,
        figures=finding.figures,
        response_id=finding.response_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(alert)
    db.session.flush()
    _audit("outcome_alert.raise", actor, alert)
    return alert


def _audit(action: str, actor: User, alert: OutcomeAlert, **detail) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="outcome_alert",
        object_id=alert.id,
        couple_id=alert.couple_id,
        kind=alert.kind,
        instrument=alert.instrument,
        **detail,
    )


@dataclass(frozen=True)
class OutcomeRow:
    """An open alert as Today and the overview show it: whom, what, the numbers."""

    id: int
    couple_id: int
    couple_name: str
    partner_label: str | None  # None: the couple
    instrument: str
    kind: str
    figures: dict
    updated_at: datetime

    @property
    def title(self) -> str:
        return gettext(outcomes.LABELS[self.kind]) if self.kind in outcomes.LABELS else self.kind

    @property
    def detail(self) -> str:
        return outcomes.describe(self.kind, self.instrument, self.figures)

    @property
    def who(self) -> str:
        if self.partner_label:
            return gettext("Partner %(label)s", label=self.partner_label)
        return gettext("Both partners")


def open_outcome_alerts(therapist: User, couple_id: int | None = None) -> list[OutcomeRow]:
    """Open (unresolved, undismissed) alerts of the therapist's couples, or of one (one query).

    Showing them is audited (one event with the count), like every read of clinical data.
    """
    if couple_id is not None:
        query = _open_alerts(therapist).where(OutcomeAlert.couple_id == couple_id)
        rows = [OutcomeRow(*row) for row in db.session.execute(query)]
    elif therapist.role != Role.THERAPIST:
        rows = []
    else:  # the Today page's list: the statement is built once per process
        return prepared.run(open_outcome_alerts_read(therapist))
    _audit_shown(therapist, couple_id, rows)
    return rows


def open_outcome_alerts_read(therapist: User) -> prepared.Read[list[OutcomeRow]]:
    """The therapist's open alerts (the Today page's list) as a read to run with others; the
    showing is audited when the rows arrive."""

    def shown(found) -> list[OutcomeRow]:
        rows = [OutcomeRow(*row) for row in found]
        _audit_shown(therapist, None, rows)
        return rows

    return prepared.Read(
        prepared.statement("measures.open_outcome_alerts", _open_alerts),
        prepared.params(therapist),
        shown,
    )


def _audit_shown(therapist: User, couple_id: int | None, rows: list[OutcomeRow]) -> None:
    if rows:  # one event per list shown, so the page's cost does not grow with the caseload
        audit.record(
            "outcome_alert.show",
            actor=therapist,
            object_type="couple" if couple_id is not None else "user",
            object_id=couple_id if couple_id is not None else therapist.id,
            couple_id=couple_id,
            count=len(rows),
        )


def dismiss_outcome_alert(actor: User, alert: OutcomeAlert, reason: str | None) -> None:
    """Hide an open alert for the rest of its episode; the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(REASON_REQUIRED, field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(REASON_TOO_LONG, field="reason")
    if alert.dismissed_at is not None or alert.resolved_at is not None:
        raise InvalidState("This alert is no longer open.")
    alert.dismissed_at = utcnow()
    alert.dismissed_by_id = actor.id
    alert.dismiss_reason = reason
    _audit("outcome_alert.dismiss", actor, alert)


def alert_row(actor: User, alert: OutcomeAlert) -> OutcomeRow:
    """One alert as a row, for the dismiss page (audited as a view)."""
    label = db.session.scalar(
        select(CoupleMember.label).where(
            CoupleMember.couple_id == alert.couple_id, CoupleMember.user_id == alert.partner_id
        )
    )
    name = db.session.scalar(select(Couple.display_name).where(Couple.id == alert.couple_id))
    _audit("outcome_alert.view", actor, alert)
    return OutcomeRow(
        alert.id,
        alert.couple_id,
        name or "",
        label,
        alert.instrument,
        alert.kind,
        alert.figures,
        alert.updated_at,
    )


def _open_alerts(therapist):
    return (
        policy.outcome_alerts_for_therapist(therapist)
        .where(OutcomeAlert.resolved_at.is_(None), OutcomeAlert.dismissed_at.is_(None))
        .join(Couple, Couple.id == OutcomeAlert.couple_id)
        .outerjoin(
            CoupleMember,
            (CoupleMember.couple_id == OutcomeAlert.couple_id)
            & (CoupleMember.user_id == OutcomeAlert.partner_id),
        )
        .with_only_columns(
            OutcomeAlert.id,
            OutcomeAlert.couple_id,
            Couple.display_name,
            CoupleMember.label,
            OutcomeAlert.instrument,
            OutcomeAlert.kind,
            OutcomeAlert.figures,
            OutcomeAlert.updated_at,
        )
        .order_by(OutcomeAlert.created_at, OutcomeAlert.id)
    )
