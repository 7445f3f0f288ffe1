"""Who may see which check-ins, scores and safety alerts.

A partner sees only their own responses: every partner-facing query filters on
``partner_id == user.id``, never on the couple. Safety alerts and flags are for the couple's
therapists only. Misses look like 404s and are audited.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from therapy_portal import audit
from therapy_portal.errors import NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import CoupleMember, CoupleTherapist, Role, User
from therapy_portal.models.measures import (
    MeasureResponse,
    MeasureSchedule,
    OutcomeAlert,
    SafetyAlert,
)


def _therapist_of(user: User, couple_id_column):
    return exists().where(
        CoupleTherapist.couple_id == couple_id_column, CoupleTherapist.therapist_id == user.id
    )


def _deny(user: User, object_type: str, object_id: int) -> NotAllowed:
    audit.record_denied("measures.access", actor=user, object_type=object_type, object_id=object_id)
    return NotAllowed("not found")


def can_view_measures(user: User, couple) -> bool:
    """Scores and charts of a couple: its therapists only (the loader already scoped the couple)."""
    return user.role == Role.THERAPIST and couple.practice_id == user.practice_id


def can_schedule_checkins(user: User, couple) -> bool:
    return can_view_measures(user, couple) and couple.is_active


def schedules_for_partner(user: User) -> Select[tuple[MeasureSchedule]]:
    """Schedules of the partner's own couple."""
    if user.role != Role.CLIENT:
        return select(MeasureSchedule).where(False)
    return select(MeasureSchedule).where(
        MeasureSchedule.practice_id == user.practice_id,
        exists().where(
            CoupleMember.couple_id == MeasureSchedule.couple_id, CoupleMember.user_id == user.id
        ),
    )


def schedule_for_partner_or_404(user: User, schedule_id: int) -> MeasureSchedule:
    schedule = db.session.scalar(
        schedules_for_partner(user)
        .where(MeasureSchedule.id == schedule_id)
        .options(joinedload(MeasureSchedule.couple))
    )
    if schedule is None:
        raise _deny(user, "measure_schedule", schedule_id)
    return schedule


def schedule_for_therapist_or_404(user: User, schedule_id: int) -> MeasureSchedule:
    schedule = None
    if user.role == Role.THERAPIST:
        schedule = db.session.scalar(
            select(MeasureSchedule)
            .where(
                MeasureSchedule.id == schedule_id,
                MeasureSchedule.practice_id == user.practice_id,
                _therapist_of(user, MeasureSchedule.couple_id),
            )
            .options(joinedload(MeasureSchedule.couple))
        )
    if schedule is None:
        raise _deny(user, "measure_schedule", schedule_id)
    return schedule


def own_responses(user: User) -> Select[tuple[MeasureResponse]]:
    """The partner's own responses. There is no partner-facing query by couple."""
    if user.role != Role.CLIENT:
        return select(MeasureResponse).where(False)
    return select(MeasureResponse).where(
        MeasureResponse.practice_id == user.practice_id, MeasureResponse.partner_id == user.id
    )


def responses_for_therapist(user: User, couple_id: int) -> Select[tuple[MeasureResponse]]:
    """Every response of a couple the therapist treats."""
    if user.role != Role.THERAPIST:
        return select(MeasureResponse).where(False)
    return select(MeasureResponse).where(
        MeasureResponse.couple_id == couple_id,
        MeasureResponse.practice_id == user.practice_id,
        _therapist_of(user, MeasureResponse.couple_id),
    )


def response_for_therapist_or_404(user: User, response_id: int) -> MeasureResponse:
    response = None
    if user.role == Role.THERAPIST:
        response = db.session.scalar(
            select(MeasureResponse)
            .where(
                MeasureResponse.id == response_id,
                MeasureResponse.practice_id == user.practice_id,
                _therapist_of(user, MeasureResponse.couple_id),
            )
            .options(joinedload(MeasureResponse.partner), joinedload(MeasureResponse.schedule))
        )
    if response is None:
        raise _deny(user, "measure_response", response_id)
    return response


def alerts_for_therapist(user: User) -> Select[tuple[SafetyAlert]]:
    if user.role != Role.THERAPIST:
        return select(SafetyAlert).where(False)
    return select(SafetyAlert).where(
        SafetyAlert.practice_id == user.practice_id, _therapist_of(user, SafetyAlert.couple_id)
    )


def alert_for_therapist_or_404(user: User, alert_id: int) -> SafetyAlert:
    alert = db.session.scalar(alerts_for_therapist(user).where(SafetyAlert.id == alert_id))
    if alert is None:
        raise _deny(user, "safety_alert", alert_id)
    return alert


def outcome_alerts_for_therapist(user: User) -> Select[tuple[OutcomeAlert]]:
    """Outcome alerts of the therapist's couples. No partner-facing query reads this table."""
    if user.role != Role.THERAPIST:
        return select(OutcomeAlert).where(False)
    return select(OutcomeAlert).where(
        OutcomeAlert.practice_id == user.practice_id, _therapist_of(user, OutcomeAlert.couple_id)
    )


def outcome_alert_for_therapist_or_404(user: User, alert_id: int) -> OutcomeAlert:
    alert = db.session.scalar(outcome_alerts_for_therapist(user).where(OutcomeAlert.id == alert_id))
    if alert is None:
        raise _deny(user, "outcome_alert", alert_id)
    return alert
