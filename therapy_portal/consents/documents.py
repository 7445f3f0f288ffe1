"""A signed consent as a document: its PDF (through the sandboxed renderer with the deny-all
fetcher) and its lines in a records request (`RECORD_PARTS` in `areas.py`).

Both are built from plain values; the typed name appears only in the signer's own copy, the
full record and the therapists' PDF, never in the other partner's copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from sqlalchemy import select

from therapy_portal import audit
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, Practice, User
from therapy_portal.models.consents import KIND_LABELS, ConsentDocument, ConsentSignature
from therapy_portal.notes.digest import DigestSection
from therapy_portal.pdf import PdfRenderError, render_pdf
from therapy_portal.ui import dates

CONFIDENTIAL = (
    "Confidential health information. It may be disclosed only as the law allows or with the "
    "written authorization of the people it concerns."
)


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    filename: str


def _when(moment: datetime | None, practice: Practice) -> str:
    if moment is None:
        return ""
    return dates.when(moment, practice.timezone)


def signature_pdf(actor: User, couple: Couple, signature: ConsentSignature) -> SignedPdf:
    """The signed version's text with the signature block; audited as an export."""
    practice = db.session.get(Practice, couple.practice_id)
    label = db.session.scalar(
        select(CoupleMember.label).where(
            CoupleMember.couple_id == couple.id, CoupleMember.user_id == signature.partner_id
        )
    )
    version = signature.version
    html = render_template(
        "pdf/consent.html",
        practice={
            "name": practice.name,
            "address": practice.address,
            "phone": practice.phone,
            "paper_size": practice.paper_size,
        },
        confidential=CONFIDENTIAL,
        title=version.title,
        number=version.number,
        paragraphs=[p for p in version.body.split("\n\n") if p.strip()],
        typed_name=signature.typed_name,
        label=label or "?",
        signed_on=dates.day(signature.signed_on),
        signed_at=_when(signature.signed_at, practice),
        withdrawn_at=_when(signature.withdrawn_at, practice),
    )
    try:
        pdf = render_pdf(
            html,
            title=version.title,
            timeout_s=current_app.config.get("NOTE_PDF_TIMEOUT_S", 30),
            memory_mb=current_app.config.get("NOTE_PDF_MEMORY_MB", 768),
        )
    except PdfRenderError as exc:
        raise DomainError(f"The PDF could not be made: {exc}. Please try again later.") from exc
    audit.record(
        "consent.pdf",
        actor=actor,
        object_type="consent_signature",
        object_id=signature.id,
        couple_id=couple.id,
        format="pdf",
        version=version.number,
    )
    return SignedPdf(pdf, f"consent-{signature.id}.pdf")


def consents_record(couple: Couple, partner_label: str | None) -> list[DigestSection]:
    """Every signature and withdrawal; a partner's copy holds only that partner's own."""
    stmt = (
        select(ConsentSignature, ConsentDocument.kind, CoupleMember.label)
        .join(ConsentDocument, ConsentDocument.id == ConsentSignature.document_id)
        .join(
            CoupleMember,
            (CoupleMember.couple_id == ConsentSignature.couple_id)
            & (CoupleMember.user_id == ConsentSignature.partner_id),
        )
        .where(
            ConsentSignature.couple_id == couple.id,
            ConsentSignature.practice_id == couple.practice_id,
        )
        .order_by(CoupleMember.label, ConsentSignature.signed_at, ConsentSignature.id)
    )
    if partner_label is not None:
        stmt = stmt.where(CoupleMember.label == partner_label)
    rows = db.session.execute(stmt).all()
    if not rows:
        return []
    practice = db.session.get(Practice, couple.practice_id)
    lines = []
    for signature, kind, label in rows:
        line = (
            f"Partner {label} signed “{KIND_LABELS[kind]}” version {signature.version.number} "
            f"on {dates.day(signature.signed_on)} as “{signature.typed_name}”"
        )
        if signature.withdrawn_at is not None:
            line += f"; withdrawn {_when(signature.withdrawn_at, practice)}"
        lines.append(line + ".")
    return [DigestSection("Consents", lines)]
