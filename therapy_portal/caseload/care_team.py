"""Care-team changes: who treats a couple and under which confidentiality policy.

Only the couple's primary therapist or a practice admin may add or remove a co-therapist or
change the policy (`policy.can_change_care_team`). Each change is its own audit event naming the
therapist added or removed, and every other therapist of the couple (before and after the
change) and both partners get an email that says only that something changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from therapy_portal import audit, policy
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.mail import queue_email_for
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Role, User, utcnow

SUBJECT = N_("A change to your care team")
BODY = N_(
    "Hello,\n\nThere was a change to the care team or the confidentiality settings in your "
    "practice's portal. Log in to see it:\n%(link)s"
)


@dataclass(frozen=True)
class CareTeam:
    co_therapist_id: int | None
    confidentiality_policy: str
    policy_agreed_on: date


def current(couple: Couple) -> CareTeam:
    co = next((t.therapist_id for t in couple.therapists if t.role == "co"), None)
    return CareTeam(co, couple.confidentiality_policy, couple.policy_agreed_on)


def check_co_therapist(couple: Couple, co_id: int | None) -> None:
    if co_id is None:
        return
    primary = next((t.therapist_id for t in couple.therapists if t.role == "primary"), None)
    if co_id == primary:
        raise ValidationFailed(
            gettext("That is already this couple's primary therapist."), field="co_therapist_id"
        )
    co = db.session.get(User, co_id)
    if co is None or co.practice_id != couple.practice_id or co.role != Role.THERAPIST:
        raise ValidationFailed(
            gettext("Choose a therapist from your practice."), field="co_therapist_id"
        )
    if not co.active:
        raise ValidationFailed(
            gettext("Choose a therapist from your practice."), field="co_therapist_id"
        )


def change(actor: User, couple: Couple, wanted: CareTeam) -> bool:
    """Apply a care-team change; refuse it unless the actor is the primary therapist or an admin.

    Returns whether anything changed. Flushes; the caller commits."""
    before = current(couple)
    if wanted == before:
        return False
    if not policy.can_change_care_team(actor, couple):
        raise ValidationFailed(
            gettext(
                "Only the couple's primary therapist or a practice admin can change the "
                "co-therapist or the confidentiality policy."
            ),
            field="co_therapist_id",
        )
    check_co_therapist(couple, wanted.co_therapist_id)
    told = {t.therapist_id for t in couple.therapists}
    if wanted.co_therapist_id != before.co_therapist_id:
        _swap_co_therapist(actor, couple, before.co_therapist_id, wanted.co_therapist_id)
    if (wanted.confidentiality_policy, wanted.policy_agreed_on) != (
        before.confidentiality_policy,
        before.policy_agreed_on,
    ):
        couple.confidentiality_policy = wanted.confidentiality_policy
        couple.policy_agreed_on = wanted.policy_agreed_on
        audit.record(
            "couple.policy_change",
            actor=actor,
            object_type="couple",
            object_id=couple.id,
            couple_id=couple.id,
            from_status=before.confidentiality_policy,
            to_status=wanted.confidentiality_policy,
        )
    if wanted.co_therapist_id:
        told.add(wanted.co_therapist_id)
    _tell(actor, couple, told - {actor.id})
    return True


def _swap_co_therapist(actor: User, couple: Couple, old: int | None, new: int | None) -> None:
    if old is not None:
        row = next(t for t in couple.therapists if t.therapist_id == old)
        db.session.delete(row)
        db.session.flush()
        audit.record(
            "couple.co_therapist_remove",
            actor=actor,
            object_type="user",
            object_id=old,
            couple_id=couple.id,
        )
    if new is not None:
        db.session.add(
            CoupleTherapist(
                practice_id=couple.practice_id, couple_id=couple.id, therapist_id=new, role="co"
            )
        )
        db.session.flush()
        audit.record(
            "couple.co_therapist_add",
            actor=actor,
            object_type="user",
            object_id=new,
            couple_id=couple.id,
        )


def _tell(actor: User, couple: Couple, therapist_ids: set[int]) -> None:
    """Email the other therapists and both partners; the body names no one and nothing."""
    partners = db.session.scalars(
        select(CoupleMember.user_id).where(CoupleMember.couple_id == couple.id)
    ).all()
    recipients = db.session.scalars(
        select(User).where(User.id.in_(therapist_ids | set(partners)), User.active)
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    stamp = utcnow().strftime("%Y%m%d%H%M%S%f")
    for user in recipients:
        queue_email_for(
            user,
            SUBJECT,
            BODY,
            link=f"{base}/login",
            kind="care_team",
            practice_id=couple.practice_id,
            dedupe_key=f"care_team:{couple.id}:{stamp}:{user.id}",
        )
