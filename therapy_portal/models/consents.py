"""Consents: the practice's versioned consent documents and each partner's signatures.

A practice has one `consent_document` per kind. Its text lives in `consent_version` rows, which
never change once saved: editing a document publishes a new version. A version marked
`material` needs every partner to sign again before a gated action counts their consent; a
version that is not material (a typo, a new phone number) is shown to new signers and keeps
earlier signatures in effect. `consent_document.required_number` is the newest material
version's number, so "is this signature in effect" is one comparison.

A `consent_signature` keeps the exact version signed, the name the partner typed, the practice
day and the time; a withdrawal sets `withdrawn_at` and is never undone (signing again makes a
new row). The confidentiality kinds follow the couple's policy: a couple under "no secrets"
needs the no-secrets document signed, a couple under "limited secrets" the other one.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import N_, Base, utcnow
from therapy_portal.models.couples import ConfidentialityPolicy

TITLE_LIMIT = 200
BODY_LIMIT = 20_000


class ConsentKind(enum.StrEnum):
    COUPLES_THERAPY = "couples_therapy"
    NO_SECRETS = "no_secrets"
    LIMITED_SECRETS = "limited_secrets"
    TELEHEALTH = "telehealth"
    RECORDS_RELEASE = "records_release"


KIND_LABELS = {
    ConsentKind.COUPLES_THERAPY: N_("Informed consent for couples therapy"),
    ConsentKind.NO_SECRETS: N_("Confidentiality between partners: no secrets"),
    ConsentKind.LIMITED_SECRETS: N_("Confidentiality between partners: limited secrets"),
    ConsentKind.TELEHEALTH: N_("Online sessions and messaging"),
    ConsentKind.RECORDS_RELEASE: N_("Release of records"),
}

#: The confidentiality document each couple policy needs.
POLICY_KIND = {
    ConfidentialityPolicy.NO_SECRETS: ConsentKind.NO_SECRETS,
    ConfidentialityPolicy.LIMITED_SECRETS: ConsentKind.LIMITED_SECRETS,
}

_KINDS_SQL = ", ".join(f"'{k.value}'" for k in ConsentKind)


class ConsentDocument(Base):
    __tablename__ = "consent_document"
    __table_args__ = (
        UniqueConstraint("practice_id", "kind"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
        CheckConstraint("required_number BETWEEN 1 AND current_number", name="required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    kind: Mapped[str] = mapped_column(String(32))
    current_number: Mapped[int] = mapped_column(default=1)
    required_number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return KIND_LABELS[ConsentKind(self.kind)]


class ConsentVersion(Base):
    """One immutable text of a document: what a partner reads and signs."""

    __tablename__ = "consent_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_document.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_LIMIT))
    body: Mapped[str] = mapped_column(Text)
    material: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    document: Mapped[ConsentDocument] = relationship(lazy="joined")


@event.listens_for(ConsentVersion, "before_update")
def _versions_are_immutable(mapper, connection, target) -> None:
    raise ValueError("consent_version rows never change; publish a new version instead")


class ConsentSignature(Base):
    """A partner's signature on one version; withdrawn at most once."""

    __tablename__ = "consent_signature"
    __table_args__ = (
        Index("ix_consent_signature_couple_partner", "couple_id", "partner_id", "document_id"),
        CheckConstraint("withdrawn_at IS NULL OR withdrawn_at >= signed_at", name="withdrawn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_document.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("consent_version.id"), index=True)
    typed_name: Mapped[str] = mapped_column(String(TITLE_LIMIT))
    signed_on: Mapped[date]
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    version: Mapped[ConsentVersion] = relationship(lazy="joined")
