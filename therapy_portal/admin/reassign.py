"""Nothing orphaned: a therapist's couples go to other therapists before they are deactivated.

A couple whose primary therapist is deactivated would have no one responsible for it: nobody is
told of its safety alerts, of a care-team change or of an emergency read, and its closed record
could not be reopened. So the admin gives each couple the therapist is primary for (open or
closed) to another active therapist of the practice first; deactivation is refused until then.
While a couple waits (and for couples whose primary was deactivated before this rule), its open
safety alerts are shown to the admin as a count, never their content.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from therapy_portal import audit
from therapy_portal.admin.guards import require_admin as _require_admin
from therapy_portal.caseload import care_team
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.mail import queue_email_for
from therapy_portal.models import Couple, CoupleTherapist, Role, SafetyAlert, User


@dataclass(frozen=True)
class CoupleToReassign:
    couple_id: int
    display_name: str
    closed: bool
    co_therapist_id: int | None  # an active co-therapist: the natural new primary
    open_alerts: int


def _open_alerts(couple_ids: list[int]) -> dict[int, int]:
    if not couple_ids:
        return {}
    return dict(
        db.session.execute(
            select(SafetyAlert.couple_id, func.count())
            .where(SafetyAlert.couple_id.in_(couple_ids), SafetyAlert.acknowledged_at.is_(None))
            .group_by(SafetyAlert.couple_id)
        ).all()
    )


def couples_to_reassign(actor: User, therapist: User) -> list[CoupleToReassign]:
    """The couples `therapist` is the primary therapist of, with what the admin needs to choose."""
    _require_admin(actor)
    co, co_user = aliased(CoupleTherapist), aliased(User)
    rows = db.session.execute(
        select(Couple.id, Couple.display_name, Couple.status, co_user.id)
        .join(CoupleTherapist, CoupleTherapist.couple_id == Couple.id)
        .outerjoin(co, (co.couple_id == Couple.id) & (co.role == "co"))
        .outerjoin(co_user, (co_user.id == co.therapist_id) & co_user.active)
        .where(
            Couple.practice_id == actor.practice_id,
            CoupleTherapist.therapist_id == therapist.id,
            CoupleTherapist.role == "primary",
        )
        .order_by(Couple.status, Couple.display_name, Couple.id)
    ).all()
    alerts = _open_alerts([r[0] for r in rows])
    return [
        CoupleToReassign(cid, name, status == "closed", co_id, alerts.get(cid, 0))
        for cid, name, status, co_id in rows
    ]


def candidates(actor: User, therapist: User) -> list[User]:
    """Active therapists of the practice who can take the couples."""
    _require_admin(actor)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.practice_id == actor.practice_id,
                User.role == Role.THERAPIST,
                User.active,
                User.id != therapist.id,
            )
            .order_by(User.name)
        )
    )


def reassign(actor: User, therapist: User, choices: dict[int, int]) -> int:
    """Make the chosen therapist the primary of each of `therapist`'s couples.

    Every couple needs a choice among `candidates`; a chosen co-therapist becomes the primary
    (their co-therapist place ends). Each change is audited; the new primary, the other
    therapists and both partners are emailed without PHI. Returns how many couples moved.
    """
    allowed = {t.id for t in candidates(actor, therapist)}
    waiting = couples_to_reassign(actor, therapist)
    for item in waiting:
        if choices.get(item.couple_id) not in allowed:
            raise ValidationFailed(
                gettext("Choose an active therapist for this couple."),
                field=f"couple_{item.couple_id}",
            )
    for item in waiting:
        _move(actor, therapist, item.couple_id, choices[item.couple_id])
    return len(waiting)


def _move(actor: User, old: User, couple_id: int, new_id: int) -> None:
    rows = db.session.scalars(
        select(CoupleTherapist).where(CoupleTherapist.couple_id == couple_id)
    ).all()
    for row in rows:
        if row.therapist_id == new_id:  # the co-therapist steps up
            db.session.delete(row)
    db.session.flush()
    primary = next(r for r in rows if r.role == "primary")
    primary.therapist_id = new_id
    db.session.flush()
    audit.record(
        "couple.primary_therapist_change",
        actor=actor,
        object_type="user",
        object_id=new_id,
        couple_id=couple_id,
    )
    couple = db.session.get(Couple, couple_id)
    others = {r.therapist_id for r in rows if r.therapist_id not in (new_id, old.id)}
    care_team._tell(actor, couple, others)  # the other therapists and both partners
    _tell_new_primary(db.session.get(User, new_id))


def _tell_new_primary(user: User) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queue_email_for(
        user,
        N_("A couple was given to you in Therapy Portal"),
        N_(
            "Hello,\n\nAn administrator of your practice made you the primary therapist of a "
            "couple whose therapist is leaving. Sign in to see it:\n%(link)s"
        ),
        link=f"{base}/login",
        kind="care_team",
        practice_id=user.practice_id,
    )


def unstaffed(actor: User, couples: list[Couple]) -> dict[int, tuple[int, int]]:
    """Couples (of a list already loaded with their therapists) whose primary therapist is
    deactivated: couple id -> (that therapist's id, open safety alerts)."""
    _require_admin(actor)
    waiting = {
        c.id: t.therapist_id
        for c in couples
        for t in c.therapists
        if t.role == "primary" and not t.therapist.active
    }
    alerts = _open_alerts(list(waiting))
    return {cid: (tid, alerts.get(cid, 0)) for cid, tid in waiting.items()}
