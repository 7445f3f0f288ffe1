"""Consents: which documents a couple needs, whose signature is in effect, and the gate.

| who                     | the documents' text | own signature (typed name) | the other partner's |
|-------------------------|---------------------|----------------------------|---------------------|
| a partner               | their couple's kinds| yes, and its PDF           | status only         |
| the couple's therapists | yes                 | yes, and its PDF           | yes, and its PDF    |
| a practice admin        | edits, every kind   | no                         | no                  |
| anyone else             | no                  | no                         | no                  |

A partner's consent of a kind is *in effect* when they hold a signature on a version at or
after the document's newest material version and have not withdrawn it. `require` is the one
gate every service asks before an action that needs a consent (online sessions, records
releases); it raises `InvalidState` naming what is missing and from whom.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import and_, select

from therapy_portal import audit
from therapy_portal.errors import InvalidState, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import Couple, CoupleMember, Role, User
from therapy_portal.models.appointments import AppointmentStatus, Modality
from therapy_portal.models.consents import (
    KIND_LABELS,
    POLICY_KIND,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
)
from therapy_portal.models.couples import ConfidentialityPolicy
from therapy_portal.policy.couples import couple_for_therapist_or_404, membership_for_partner


class ConsentState(enum.StrEnum):
    SIGNED = "signed"
    #: Signed an older version; a material change since needs a new signature.
    OUTDATED = "outdated"
    WITHDRAWN = "withdrawn"
    NOT_SIGNED = "not_signed"


STATE_LABELS = {
    ConsentState.SIGNED: N_("Signed"),
    ConsentState.OUTDATED: N_("New version to sign"),
    ConsentState.WITHDRAWN: N_("Withdrawn"),
    ConsentState.NOT_SIGNED: N_("Not signed yet"),
}


@dataclass(frozen=True)
class PartnerConsent:
    kind: ConsentKind
    state: ConsentState
    signature: ConsentSignature | None  # the one in effect, else the latest

    @property
    def label(self) -> str:
        return gettext(KIND_LABELS[self.kind])

    @property
    def state_label(self) -> str:
        return gettext(STATE_LABELS[self.state])

    @property
    def in_effect(self) -> bool:
        return self.state == ConsentState.SIGNED


def kinds_for(couple: Couple) -> tuple[ConsentKind, ...]:
    """The documents each partner of the couple signs; confidentiality follows their policy."""
    confidentiality = POLICY_KIND[ConfidentialityPolicy(couple.confidentiality_policy)]
    return (
        ConsentKind.COUPLES_THERAPY,
        confidentiality,
        ConsentKind.TELEHEALTH,
        ConsentKind.RECORDS_RELEASE,
    )


Rows = list[tuple[ConsentSignature, int]]


def _state(rows: Rows) -> tuple[ConsentState, ConsentSignature | None]:
    """One partner's signatures of one document, oldest first, each with the required number."""
    for signature, required in reversed(rows):
        if signature.withdrawn_at is None and signature.version.number >= required:
            return ConsentState.SIGNED, signature
    if not rows:
        return ConsentState.NOT_SIGNED, None
    latest = rows[-1][0]
    if latest.withdrawn_at is not None:
        return ConsentState.WITHDRAWN, latest
    return ConsentState.OUTDATED, latest


def _labels(couple: Couple) -> dict[int, str]:
    """The partners' labels by user id, from the members a loader already loaded if it did."""
    if "members" in couple.__dict__:
        return {m.user_id: m.label for m in couple.members}
    return dict(
        db.session.execute(
            select(CoupleMember.user_id, CoupleMember.label).where(
                CoupleMember.couple_id == couple.id
            )
        ).all()
    )


def couple_consents(couple: Couple) -> dict[str, list[PartnerConsent]]:
    """Each partner's consents, by label, in `kinds_for` order (one or two statements)."""
    labels = _labels(couple)
    kinds = kinds_for(couple)
    found: dict[tuple[int, str], list[tuple[ConsentSignature, int]]] = {}
    for signature, kind, required in db.session.execute(
        select(ConsentSignature, ConsentDocument.kind, ConsentDocument.required_number)
        .join(ConsentDocument, ConsentDocument.id == ConsentSignature.document_id)
        .where(
            ConsentSignature.couple_id == couple.id,
            ConsentSignature.practice_id == couple.practice_id,
            ConsentDocument.kind.in_(kinds),
        )
        .order_by(ConsentSignature.signed_at, ConsentSignature.id)
    ):
        found.setdefault((signature.partner_id, kind), []).append((signature, required))
    result: dict[str, list[PartnerConsent]] = {}
    for user_id, label in sorted(labels.items(), key=lambda item: item[1]):
        result[label] = [
            PartnerConsent(kind, *_state(found.get((user_id, kind), []))) for kind in kinds
        ]
    return result


def missing(couple: Couple, kind: ConsentKind, labels: Iterable[str]) -> list[str]:
    """The partners (of `labels`) whose consent of `kind` is not in effect."""
    consents = couple_consents(couple)
    wanted = set(labels)
    return [
        label
        for label, items in consents.items()
        if label in wanted and not any(c.kind == kind and c.in_effect for c in items)
    ]


def require(
    kind: ConsentKind,
    couple: Couple,
    labels: Iterable[str],
    *,
    action: str,
    field: str | None = None,
) -> None:
    """The gate: refuse `action` unless every partner in `labels` has `kind` in effect."""
    lacking = missing(couple, kind, labels)
    if lacking:
        who = " and ".join(f"partner {label}" for label in lacking)
        raise InvalidState(
            f"{action} needs the signed consent “{KIND_LABELS[kind]}” of each partner concerned. "
            f"Still needed from {who}: they sign it in the portal under Consents.",
            field=field,
        )


class _Session(Protocol):
    """What `missing_for_sessions` reads of a session: an Appointment or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def couple_id(self) -> int: ...
    @property
    def modality(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def attendees(self) -> str: ...


def missing_for_sessions(appointments: Sequence[_Session]) -> dict[int, list[str]]:
    """For each online session still scheduled, the attending partners whose telehealth consent
    is not (or no longer) in effect, by appointment id: what Today and the session page flag.
    One statement for any number of sessions; none when no session is online."""
    online = [
        a
        for a in appointments
        if a.modality == Modality.ONLINE and a.status == AppointmentStatus.SCHEDULED
    ]
    if not online:
        return {}
    telehealth = select(ConsentDocument.id).where(ConsentDocument.kind == ConsentKind.TELEHEALTH)
    rows = db.session.execute(
        select(
            CoupleMember.couple_id,
            CoupleMember.label,
            ConsentSignature,
            ConsentDocument.required_number,
        )
        .select_from(CoupleMember)
        .outerjoin(
            ConsentSignature,
            and_(
                ConsentSignature.couple_id == CoupleMember.couple_id,
                ConsentSignature.partner_id == CoupleMember.user_id,
                ConsentSignature.document_id.in_(telehealth),
            ),
        )
        .outerjoin(ConsentDocument, ConsentDocument.id == ConsentSignature.document_id)
        .where(CoupleMember.couple_id.in_({a.couple_id for a in online}))
        .order_by(ConsentSignature.signed_at, ConsentSignature.id)
    ).all()
    found: dict[tuple[int, str], Rows] = {}
    for couple_id, label, signature, required in rows:
        mine = found.setdefault((couple_id, label), [])
        if signature is not None:
            mine.append((signature, required))
    lacking: dict[int, set[str]] = {}
    for (couple_id, label), mine in found.items():
        if _state(mine)[0] != ConsentState.SIGNED:
            lacking.setdefault(couple_id, set()).add(label)
    result = {}
    for appointment in online:
        present = {appointment.attendees} if appointment.attendees != "both" else None
        labels = lacking.get(appointment.couple_id, set())
        if missing_labels := sorted(labels if present is None else labels & present):
            result[appointment.id] = missing_labels
    return result


def attendee_labels(couple: Couple, attendees: str) -> list[str]:
    """The labels a session's attendees ("both", "A" or "B") stand for."""
    if attendees != "both":
        return [attendees]
    return list(
        db.session.scalars(select(CoupleMember.label).where(CoupleMember.couple_id == couple.id))
    )


# Scoped loaders ------------------------------------------------------------------------------


def _deny(user: User, object_type: str, object_id: int | None = None) -> NotAllowed:
    """Audit a refused consent read; the caller raises what this returns (a 404)."""
    audit.record_denied("consent.access", actor=user, object_type=object_type, object_id=object_id)
    return NotAllowed("not found")


def member_for_partner_or_404(user: User, kind: str) -> CoupleMember:
    """The partner's membership, when `kind` is one of the documents their couple signs."""
    member = membership_for_partner(user)
    if member is None or kind not in kinds_for(member.couple):
        raise _deny(user, "consent_document")
    audit.reading_couple(member.couple_id)
    return member


def own_signature_or_404(user: User, signature_id: int) -> ConsentSignature:
    """One of the partner's own signatures; never the other partner's."""
    signature = None
    if user.role == Role.CLIENT:
        signature = db.session.scalar(
            select(ConsentSignature).where(
                ConsentSignature.id == signature_id,
                ConsentSignature.partner_id == user.id,
                ConsentSignature.practice_id == user.practice_id,
            )
        )
    if signature is None:
        raise _deny(user, "consent_signature", signature_id)
    audit.reading_couple(signature.couple_id)
    return signature


def signature_for_therapist_or_404(
    user: User, couple_id: int, signature_id: int
) -> tuple[Couple, ConsentSignature]:
    couple = couple_for_therapist_or_404(user, couple_id)
    signature = db.session.scalar(
        select(ConsentSignature).where(
            ConsentSignature.id == signature_id, ConsentSignature.couple_id == couple.id
        )
    )
    if signature is None:
        raise _deny(user, "consent_signature", signature_id)
    return couple, signature


def can_edit_documents(user: User) -> bool:
    """The practice's consent texts are the admin's (they hold no clinical content)."""
    return user.role == Role.ADMIN
