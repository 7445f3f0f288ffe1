"""A plan version as PDF: plain values → the autoescaped print template → the sandboxed renderer
(deny-all fetcher). Every export is audited with the SHA-256 of the bytes."""

from __future__ import annotations

import hashlib

from flask import current_app

from therapy_portal import audit
from therapy_portal.cosigning import cosignature_values
from therapy_portal.models import User
from therapy_portal.models.plans import PlanVersion
from therapy_portal.notes.export import CONFIDENTIAL, ExportFailed, render_template
from therapy_portal.pdf import PdfRenderError, render_pdf
from therapy_portal.plans.reading import VersionPage
from therapy_portal.timezones import practice_zone
from therapy_portal.ui import dates


def plan_context(page: VersionPage, practice) -> dict:
    v = page.version
    tz = practice_zone(practice.timezone)
    return {
        "practice": {
            "name": practice.name,
            "address": practice.address,
            "phone": practice.phone,
            "paper_size": practice.paper_size,
        },
        "confidential": CONFIDENTIAL,
        "couple_name": page.couple.display_name,
        "plan": {
            "number": v.number,
            "signed": v.is_signed,
            "verified": page.verified,
            "presenting_problems": v.presenting_problems,
            "interventions": v.interventions,
            "review_on": dates.day(v.review_on) if v.review_on else "not set",
        },
        "goals": [
            {"position": g.position, "description": g.description, "target": g.target}
            for g in page.goals
        ],
        "signature": {
            "name": v.signer_name,
            "credentials": v.signer_credentials,
            "at": dates.when(v.signed_at, tz, with_zone=True),
            "hash": v.signature,
        }
        if v.signed_at
        else None,
        "cosignature": cosignature_values(page.cosignature, tz),
    }


def export_plan_pdf(actor: User, page: VersionPage) -> tuple[bytes, str]:
    html = render_template("pdf/plan.html", plan_context(page, actor.practice))
    cfg = current_app.config
    try:
        pdf = render_pdf(
            html,
            title="Treatment plan",
            timeout_s=cfg.get("NOTE_PDF_TIMEOUT_S", 30),
            memory_mb=cfg.get("NOTE_PDF_MEMORY_MB", 768),
            fail_closed=cfg.get("NOTE_PDF_FAIL_CLOSED", False),
        )
    except PdfRenderError as exc:
        raise ExportFailed(f"The PDF could not be made: {exc}. Nothing was changed.") from exc
    version: PlanVersion = page.version
    audit.record(
        "plan.export_pdf",
        actor=actor,
        object_type="plan_version",
        object_id=version.id,
        couple_id=version.couple_id,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    return pdf, f"treatment-plan-{version.id}-v{version.number}.pdf"
