"""Check-ins on the partner's side: what is due, answering once per period, one's own history.

Every function takes the acting user, asks the policy, writes the audit event and flushes; the
request boundary commits. Time-dependent functions accept ``now`` so tests (and cron) control the
clock; "today" is the date in the practice's timezone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import tuple_
from sqlalchemy.exc import IntegrityError

from therapy_portal import audit, policy
from therapy_portal.errors import Conflict, InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.measures import INSTRUMENTS, Instrument, score
from therapy_portal.measures.outcome_alerts import evaluate_after_checkin
from therapy_portal.measures.safety import raise_safety_alert
from therapy_portal.models import Couple, CoupleStatus, Role, User, utcnow
from therapy_portal.models.measures import MeasureResponse, MeasureSchedule
from therapy_portal.pagination import Page, keyset_page
from therapy_portal.timezones import local_today
from therapy_portal.ui import dates

_ITEM = re.compile(r"^item (\d+)")


def _today(user: User, now: datetime | None) -> date:
    return local_today(user.practice.timezone, now)


@dataclass(frozen=True)
class DueCheckin:
    schedule: MeasureSchedule
    instrument: Instrument
    period_index: int
    opens_on: date
    closes_on: date


def due_checkins(actor: User, now: datetime | None = None) -> list[DueCheckin]:
    """The partner's check-ins open today and not yet answered by *them* (two queries)."""
    today = _today(actor, now)
    schedules = list(
        db.session.scalars(
            policy.schedules_for_partner(actor)
            .join(Couple, Couple.id == MeasureSchedule.couple_id)
            .where(
                MeasureSchedule.stopped_at.is_(None),
                # A closed couple's maintenance check-ins still run (`measures.maintenance`).
                (Couple.status == CoupleStatus.ACTIVE) | MeasureSchedule.maintenance,
            )
            .order_by(MeasureSchedule.id)
        )
    )
    current = {s.id: s.period_index(today) for s in schedules}
    keys = [(sid, idx) for sid, idx in current.items() if idx is not None]
    answered = set()
    if keys:
        answered = {
            tuple(row)
            for row in db.session.execute(
                policy.own_responses(actor)
                .with_only_columns(MeasureResponse.schedule_id, MeasureResponse.period_index)
                .where(tuple_(MeasureResponse.schedule_id, MeasureResponse.period_index).in_(keys))
            )
        }
    due = []
    for schedule in schedules:
        index = current[schedule.id]
        inst = INSTRUMENTS.get(schedule.instrument)
        if index is None or inst is None or (schedule.id, index) in answered:
            continue
        due.append(
            DueCheckin(
                schedule,
                inst.in_language(actor.locale),  # its name as the partner will read it
                index,
                schedule.period_start(index),
                schedule.period_end(index),
            )
        )
    return due


@dataclass(frozen=True)
class CheckinState:
    """What the answer page should say: open, not yet open, closed, or already answered."""

    schedule: MeasureSchedule
    instrument: Instrument | None
    period_index: int | None
    answered: MeasureResponse | None
    message: str | None  # why the check-in can't be answered now; None when it is open

    @property
    def is_open(self) -> bool:
        return self.message is None


def checkin_state(
    actor: User, schedule: MeasureSchedule, now: datetime | None = None
) -> CheckinState:
    """Whether the partner can answer ``schedule`` now, and if not, a clear reason."""
    today = _today(actor, now)
    inst = INSTRUMENTS.get(schedule.instrument)
    index = schedule.period_index(today)
    answered = None
    if index is not None:
        answered = db.session.scalar(
            policy.own_responses(actor).where(
                MeasureResponse.schedule_id == schedule.id, MeasureResponse.period_index == index
            )
        )
    message = None
    if not schedule.couple.is_active and not schedule.maintenance:
        message = gettext(
            "Your work with your therapist has ended, so check-ins are closed. "
            "Nothing new can be sent."
        )
    elif inst is None or not inst.display_text:
        message = gettext(
            "This check-in uses a questionnaire Therapy Portal can't show here. "
            "Please let your therapist know."
        )
    elif not schedule.active:
        message = (
            gettext("This check-in was stopped, so it can't be answered any more.")
            if schedule.maintenance
            else gettext(
                "Your therapist has stopped this check-in, so it can't be answered any more."
            )
        )
    elif index is None and schedule.ends_on is not None and today > schedule.ends_on:
        message = gettext("This check-in has ended. Thank you for keeping in touch.")
    elif index is None:
        message = gettext("This check-in opens on %(date)s.", date=dates.day(schedule.starts_on))
    elif answered is not None:
        nxt = schedule.period_start(index + 1)
        message = gettext(
            "You already answered this check-in for this period. Your first answers "
            "are kept; the next one opens on %(date)s.",
            date=dates.day(nxt),
        )
    return CheckinState(schedule, inst, index, answered, message)


def _friendly(error: ValueError, inst: Instrument) -> ValidationFailed:
    match = _ITEM.match(str(error))
    if not match or not 1 <= int(match.group(1)) <= len(inst.items):
        return ValidationFailed(
            gettext("Please answer every question with one of the listed answers.")
        )
    number = int(match.group(1))
    text = (
        gettext("Please choose an answer for question %(number)s.", number=number)
        if "missing" in str(error)
        else gettext(
            "Please choose one of the listed answers for question %(number)s.", number=number
        )
    )
    return ValidationFailed(text, field=f"item_{number}")


def submit_checkin(
    actor: User,
    schedule: MeasureSchedule,
    answers: Mapping[int | str, int],
    now: datetime | None = None,
) -> MeasureResponse:
    """Score and store the partner's answers for the current period, once.

    Raises ``ValidationFailed`` naming the question for a missing or out-of-range answer,
    ``InvalidState`` when the check-in is not open, and ``Conflict`` when the partner already
    answered this period (also under a race, through the unique constraint). A PHQ-9 item-9
    answer above 0 raises a safety alert for the couple's therapists; the outcome rules are
    evaluated in the same transaction (`outcome_alerts`).
    """
    state = checkin_state(actor, schedule, now)
    if state.answered is not None:
        raise Conflict(state.message or gettext("Already answered."))
    if not state.is_open:
        raise InvalidState(state.message or gettext("This check-in is closed."))
    inst = state.instrument
    try:
        result = score(inst.key, answers)
    except ValueError as error:
        raise _friendly(error, inst) from None
    response = response_row(actor, schedule, state.period_index, inst, result, now)
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        raise Conflict(
            gettext(
                "You already answered this check-in for this period. Your first answers are kept."
            )
        ) from None
    audit.record(
        "checkin.submit",
        actor=actor,
        object_type="measure_response",
        object_id=response.id,
        couple_id=schedule.couple_id,
        instrument=inst.key,
    )
    if result.flags:
        raise_safety_alert(actor, response, result.flags)
    evaluate_after_checkin(actor, response)
    return response


def response_row(
    actor: User, schedule: MeasureSchedule, period: int, inst, result, now
) -> MeasureResponse:
    """The stored answer of one partner for one period (also used by the demo data)."""
    return MeasureResponse(
        practice_id=schedule.practice_id,
        couple_id=schedule.couple_id,
        schedule_id=schedule.id,
        partner_id=actor.id,
        period_index=period,
        instrument=inst.key,
        answers={str(n): v for n, v in enumerate(result.items, start=1)},
        total=result.total,
        band=result.band,
        distressed=result.distressed,
        mean=result.mean,
        flags=list(result.flags),
        taken_at=now or utcnow(),
    )


@dataclass(frozen=True)
class HistoryPage:
    responses: list[MeasureResponse]
    dates: dict[int, date]  # response id -> the day it was answered, in the practice's timezone
    page: Page


def partner_history(actor: User, after: int | None = None) -> HistoryPage:
    """The partner's own responses, newest first, a keyset page at a time (audited)."""
    if actor.role != Role.CLIENT:
        raise NotAllowed(gettext("not found"))
    page = keyset_page(
        policy.own_responses(actor),
        [MeasureResponse.taken_at],
        MeasureResponse.id,
        after=after,
        per_page=current_app.config["PAGE_SIZE"],
        descending=True,
        count=True,
    )
    responses = page.items
    audit.record(
        "checkin.history_view",
        actor=actor,
        object_type="user",
        object_id=actor.id,
        count=len(responses),
    )
    zone = actor.practice.timezone
    dates = {r.id: local_today(zone, r.taken_at) for r in responses}
    return HistoryPage(responses, dates, page)
