"""After the last session: the booster exercises of the maintenance plan.

When the therapist closes a couple with the maintenance plan, besides the CSI-4 check-ins
(`measures.maintenance`) one booster exercise is scheduled every 8 weeks for 6 months (weeks
8, 16 and 24 after closing): the exercise the therapist chose, or else the couple's most
recent homework. Each booster is its own one-time assignment marked ``booster``, so the closed
couple's partners can still answer it; either partner can stop the boosters at any time
(the ones nobody has answered yet are cancelled for both; drafts stay). Audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from therapy_portal import audit, policy
from therapy_portal.errors import InvalidState, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import Couple, User, utcnow
from therapy_portal.models.homework import Assignment, AssignmentStatus, Occurrence
from therapy_portal.models.vocabulary import Cadence

INTERVAL_WEEKS = 8
PLAN_WEEKS = 26  # six months
SUMMARY = "a booster exercise every 8 weeks for 6 months"


def booster_dates(closed_on: date) -> list[date]:
    """Weeks 8, 16 and 24 after closing: every booster inside the six months."""
    weeks = range(INTERVAL_WEEKS, PLAN_WEEKS + 1, INTERVAL_WEEKS)
    return [closed_on + timedelta(weeks=w) for w in weeks]


def _last_assignment(actor: User, couple: Couple) -> Assignment | None:
    return db.session.scalar(
        policy.assignments_for_therapist(actor)
        .where(Assignment.couple_id == couple.id, Assignment.booster.is_(False))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
        .limit(1)
    )


def _source(actor: User, couple: Couple, version_id: int | None) -> tuple[int, str, dict] | None:
    """The boosters' exercise version, mode and visibility: the chosen exercise with the
    couple policy's defaults, else the couple's latest homework as it was assigned."""
    from therapy_portal.homework.services.assignments import resolve_visibility

    if version_id is not None:
        version = policy.version_for_therapist_or_404(actor, version_id)
        return version.id, version.default_mode, resolve_visibility(couple, version, {})
    last = _last_assignment(actor, couple)
    if last is None:
        return None
    return last.version_id, last.mode, dict(last.visibility)


def schedule_boosters(
    actor: User, couple: Couple, closed_on: date, version_id: int | None = None
) -> list[Assignment]:
    """Schedule the boosters (the chosen exercise, else the couple's latest homework); none when
    there is neither. Partners are not emailed now: the closing notice tells them."""
    if not policy.can_view_couple(actor, couple):
        raise NotAllowed(gettext("not found"))
    source = _source(actor, couple, version_id)
    if source is None:
        return []
    version_id, mode, visibility = source
    made = []
    for day in booster_dates(closed_on):
        assignment = Assignment(
            practice_id=couple.practice_id,
            couple_id=couple.id,
            version_id=version_id,
            mode=mode,
            visibility=visibility,
            cadence=Cadence.ONCE,
            first_due_on=day,
            note="",
            booster=True,
            created_by_id=actor.id,
        )
        db.session.add(assignment)
        made.append(assignment)
    db.session.flush()
    db.session.add_all(
        Occurrence(
            practice_id=a.practice_id,
            couple_id=a.couple_id,
            assignment_id=a.id,
            sequence=1,
            due_on=a.first_due_on,
        )
        for a in made
    )
    db.session.flush()
    audit.record(
        "booster.schedule",
        actor=actor,
        object_type="couple",
        object_id=couple.id,
        couple_id=couple.id,
        count=len(made),
    )
    return made


def _running(couple_id: int):
    """The couple's boosters still to come: active, and nobody has submitted an answer yet."""
    return (
        select(Assignment.id)
        .join(Occurrence, Occurrence.assignment_id == Assignment.id)
        .where(
            Assignment.couple_id == couple_id,
            Assignment.booster.is_(True),
            Assignment.status == AssignmentStatus.ACTIVE,
            Occurrence.submitted_count == 0,
        )
    )


def running_boosters(actor: User) -> list[date]:
    """The due dates of the partner's couple's boosters still scheduled (one statement)."""
    member = policy.membership_for_partner(actor)
    if member is None:
        return []
    return list(
        db.session.scalars(
            select(Assignment.first_due_on)
            .where(Assignment.id.in_(_running(member.couple_id)))
            .order_by(Assignment.first_due_on)
        )
    )


def stop_boosters(actor: User) -> int:
    """A partner stops the boosters for both partners, at once (audited); returns how many."""
    member = policy.membership_for_partner(actor)
    if member is None:
        raise NotAllowed(gettext("not found"))
    ids = list(db.session.scalars(_running(member.couple_id)))
    if not ids:
        raise InvalidState(gettext("The booster exercises were already stopped."))
    now = utcnow()
    db.session.execute(
        update(Assignment)
        .where(Assignment.id.in_(ids))
        .values(status=AssignmentStatus.CANCELLED, cancelled_at=now, cancelled_by_id=actor.id),
        execution_options={"synchronize_session": "fetch"},
    )
    audit.record(
        "booster.stop",
        actor=actor,
        object_type="couple",
        object_id=member.couple_id,
        couple_id=member.couple_id,
        count=len(ids),
    )
    return len(ids)
