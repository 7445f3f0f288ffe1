"""Use cases of consents: the practice's documents and versions, a partner signing and
withdrawing, and what each page reads.

The rule of whose consent is in effect, and the gate other areas call, are in
`policy/consents.py`. These functions flush, never commit; audit events carry ids, kinds and
version numbers, never the text or the typed name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from therapy_portal import audit
from therapy_portal.consents.defaults import DEFAULTS
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.models import CoupleMember, User, utcnow
from therapy_portal.models.consents import (
    BODY_LIMIT,
    TITLE_LIMIT,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ConsentVersion,
)
from therapy_portal.policy import consents as rules
from therapy_portal.timezones import practice_today

WRONG_NAME = N_("Type your own name exactly as the practice has it: %(name)s.")


def _load(practice_id: int) -> dict[str, ConsentDocument]:
    return {
        d.kind: d
        for d in db.session.scalars(
            select(ConsentDocument).where(ConsentDocument.practice_id == practice_id)
        )
    }


def ensure_documents(practice_id: int) -> dict[str, ConsentDocument]:
    """The practice's documents by kind; the default texts are published on first use."""
    documents = _load(practice_id)
    for kind, (title, body) in DEFAULTS.items():
        if kind in documents:
            continue
        try:
            with db.session.begin_nested():
                document = ConsentDocument(practice_id=practice_id, kind=kind)
                db.session.add(document)
                db.session.flush()
                db.session.add(
                    ConsentVersion(
                        practice_id=practice_id,
                        document_id=document.id,
                        number=1,
                        title=title,
                        body=body.strip(),
                        material=True,
                    )
                )
        except IntegrityError:  # another request made it first
            pass
    return _load(practice_id) if len(documents) < len(DEFAULTS) else documents


def current_versions(practice_id: int) -> dict[str, ConsentVersion]:
    """Each document's current version, by kind (documents made if missing)."""
    documents = ensure_documents(practice_id)
    rows = db.session.scalars(
        select(ConsentVersion)
        .join(ConsentDocument, ConsentDocument.id == ConsentVersion.document_id)
        .where(
            ConsentDocument.practice_id == practice_id,
            ConsentVersion.number == ConsentDocument.current_number,
        )
    )
    found = {v.document.kind: v for v in rows}
    assert set(found) == set(documents)
    return found


def history(practice_id: int, kind: str) -> list[ConsentVersion]:
    """Every version of one document, newest first."""
    ensure_documents(practice_id)
    return list(
        db.session.scalars(
            select(ConsentVersion)
            .join(ConsentDocument, ConsentDocument.id == ConsentVersion.document_id)
            .where(ConsentDocument.practice_id == practice_id, ConsentDocument.kind == kind)
            .order_by(ConsentVersion.number.desc())
        )
    )


def publish(
    actor: User, kind: str, title: str | None, body: str | None, material: bool
) -> ConsentVersion:
    """Publish a new version of a document; earlier versions and their signatures stay as they
    were. A material version needs every partner to sign again before gated actions."""
    if not rules.can_edit_documents(actor) or kind not in tuple(ConsentKind):
        raise NotAllowed(gettext("not found"))
    title, text = (title or "").strip(), (body or "").replace("\r\n", "\n").strip()
    if not title:
        raise ValidationFailed(gettext("Give the document a title."), field="title")
    if len(title) > TITLE_LIMIT:
        raise ValidationFailed(f"Keep the title to {TITLE_LIMIT} characters.", field="title")
    if not text:
        raise ValidationFailed(gettext("Write the text partners will read and sign."), field="body")
    if len(text) > BODY_LIMIT:
        raise ValidationFailed(f"Keep the text to {BODY_LIMIT:,} characters.", field="body")
    document = ensure_documents(actor.practice_id)[kind]
    current = current_versions(actor.practice_id)[kind]
    if (title, text) == (current.title, current.body):
        raise ValidationFailed(
            gettext("Nothing changed: edit the text to publish a new version."), field="body"
        )
    document.current_number += 1
    if material:
        document.required_number = document.current_number
    version = ConsentVersion(
        practice_id=actor.practice_id,
        document_id=document.id,
        number=document.current_number,
        title=title,
        body=text,
        material=material,
        published_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "consent.version_publish",
        actor=actor,
        object_type="consent_document",
        object_id=document.id,
        kind=kind,
        version=version.number,
        status="material" if material else "minor",
    )
    return version


def same_name(typed: str | None, name: str) -> bool:
    """Case and spacing do not matter; every letter does."""
    return " ".join((typed or "").split()).casefold() == " ".join(name.split()).casefold()


def _status(member: CoupleMember, kind: str) -> rules.PartnerConsent:
    return next(c for c in rules.couple_consents(member.couple)[member.label] if c.kind == kind)


def sign(actor: User, member: CoupleMember, kind: str, typed_name: str | None) -> ConsentSignature:
    """The partner signs the document's current version with their own name, as of today."""
    if member.user_id != actor.id:
        raise NotAllowed(gettext("not found"))
    if not (typed_name or "").strip():
        raise ValidationFailed(gettext("Type your full name to sign."), field="typed_name")
    if not same_name(typed_name, actor.name):
        raise ValidationFailed(gettext(WRONG_NAME, name=actor.name), field="typed_name")
    version = current_versions(actor.practice_id)[kind]
    status = _status(member, kind)
    if status.in_effect and status.signature.version_id == version.id:
        raise InvalidState(gettext("You have already signed this version."), field="typed_name")
    signature = ConsentSignature(
        practice_id=actor.practice_id,
        couple_id=member.couple_id,
        partner_id=actor.id,
        document_id=version.document_id,
        version_id=version.id,
        typed_name=" ".join(typed_name.split()),
        signed_on=practice_today(actor),
    )
    db.session.add(signature)
    db.session.flush()
    _audit("consent.sign", actor, member, signature, kind)
    return signature


def withdraw(actor: User, member: CoupleMember, kind: str) -> ConsentSignature:
    """Withdraw the partner's consent now; gated actions are refused from this moment."""
    if member.user_id != actor.id:
        raise NotAllowed(gettext("not found"))
    status = _status(member, kind)
    if status.signature is None or status.signature.withdrawn_at is not None:
        raise InvalidState(gettext("There is no signed consent to withdraw."))
    now = utcnow()
    withdrawn = db.session.scalars(
        select(ConsentSignature).where(
            ConsentSignature.partner_id == actor.id,
            ConsentSignature.couple_id == member.couple_id,
            ConsentSignature.document_id == status.signature.document_id,
            ConsentSignature.withdrawn_at.is_(None),
        )
    ).all()
    for row in withdrawn:
        row.withdrawn_at = now
    db.session.flush()
    _audit("consent.withdraw", actor, member, status.signature, kind)
    return status.signature


def _audit(
    action: str, actor: User, member: CoupleMember, signature: ConsentSignature, kind: str
) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="consent_signature",
        object_id=signature.id,
        couple_id=member.couple_id,
        kind=kind,
        version=signature.version.number,
        partner=member.label,
    )


@dataclass(frozen=True)
class PartnerPage:
    """What a partner sees: their own consents in full, the other partner's states only."""

    own: list[rules.PartnerConsent]
    other: dict[str, str]  # kind -> state label; never the other's signature
    versions: dict[str, ConsentVersion]


def for_partner(actor: User, member: CoupleMember) -> PartnerPage:
    versions = current_versions(actor.practice_id)
    consents = rules.couple_consents(member.couple)
    other = {
        c.kind: c.state_label
        for label, items in consents.items()
        if label != member.label
        for c in items
    }
    return PartnerPage(consents.get(member.label, []), other, versions)


def waiting(actor: User, member: CoupleMember) -> list[rules.PartnerConsent]:
    """The partner's consents not in effect (for the home page)."""
    consents = rules.couple_consents(member.couple).get(member.label, [])
    return [c for c in consents if not c.in_effect]
