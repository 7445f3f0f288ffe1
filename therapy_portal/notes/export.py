"""PDF of one session note: plain-value context → autoescaped print template → sandboxed render.

The template gets dicts and strings only (never ORM objects) and is rendered with its own
autoescaping Jinja environment: no request, no `url_for`, no base URL. The PDF of a signed note
whose signatures verify is cached under a key derived from the note's and its addenda's
signatures plus the print template's own hash, so an addendum or a template change misses.

Measure charts (SVG) travel to the renderer as generated assets (`app-asset:chart-<key>.svg`). They
draw only answers taken on or before the session date, so a signed note's chart is stable, and
their fingerprint is part of the cache key (a renamed partner, say, renders afresh).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import delete, select

from therapy_portal import audit, policy
from therapy_portal.cosigning import cosignature_for, cosignature_values
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.measures.note_charts import NoteChart, note_charts
from therapy_portal.models import Practice, User
from therapy_portal.models.notes import NotePdfCache, NoteStatus, SessionNote
from therapy_portal.models.supervision import SignedKind
from therapy_portal.notes import reading, signing
from therapy_portal.notes.print_context import CONFIDENTIAL, note_context
from therapy_portal.pdf import PdfRenderError, render_pdf
from therapy_portal.policy import partner_copy
from therapy_portal.policy.partner_copy import CopyRule
from therapy_portal.settings import PROJECT_ROOT
from therapy_portal.timezones import practice_zone

__all__ = ["CONFIDENTIAL", "note_context"]  # the print values live in print_context

_TEMPLATE_DIR = PROJECT_ROOT / "templates"
_ENV = Environment(
    loader=FileSystemLoader(str(_TEMPLATE_DIR)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
)


def _template_version() -> str:
    digest = hashlib.sha256()
    for name in sorted((_TEMPLATE_DIR / "pdf").glob("*.html")):
        digest.update(name.read_bytes())
    return digest.hexdigest()[:16]


TEMPLATE_VERSION = _template_version()


class ExportFailed(DomainError):
    """The PDF could not be produced; the message says why and is safe to show."""

    status = 503


@dataclass(frozen=True)
class PdfResult:
    pdf: bytes
    filename: str
    sha256: str
    cached: bool


def render_template(name: str, context: dict) -> str:
    return _ENV.get_template(name).render(**context)


def note_html(
    note: SessionNote,
    integrity: signing.Integrity,
    practice: Practice,
    charts: Sequence[NoteChart] = (),
    *,
    rule: CopyRule | None = None,
    cosignature: dict | None = None,
) -> str:
    context = note_context(
        note,
        integrity,
        practice,
        note.couple.display_name,
        charts,
        rule=rule,
        cosignature=cosignature,
    )
    return render_template("pdf/session_note.html", context)


def charts_digest(charts: Sequence[NoteChart]) -> str:
    """A hash of everything the charts put in the PDF (part of the cache key).

    Built from each chart's fingerprint (its data, text and chart-code version), so a cache hit
    never has to draw the SVG.
    """
    parts = [f"{c.asset_name}:{c.fingerprint}" for c in charts]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def render(html: str, assets: dict[str, bytes] | None = None) -> bytes:
    """Render in the sandboxed worker with the configured limits; failures become `ExportFailed`."""
    cfg = current_app.config
    try:
        return render_pdf(
            html,
            title="Session note",
            assets=assets,
            timeout_s=cfg.get("NOTE_PDF_TIMEOUT_S", 30),
            memory_mb=cfg.get("NOTE_PDF_MEMORY_MB", 768),
            fail_closed=cfg.get("NOTE_PDF_FAIL_CLOSED", False),
        )
    except PdfRenderError as exc:
        raise ExportFailed(
            f"The PDF could not be made: {exc}. Nothing was changed. If the note is very long, "
            "try again later or ask your administrator to raise the limits."
        ) from exc


@dataclass(frozen=True)
class PreparedPdf:
    """What rendering one note needs, with no ORM objects: safe across commits and threads."""

    note_id: int
    practice_id: int
    cache_key: str | None
    html: str
    cached_pdf: bytes | None
    assets: dict[str, bytes] = field(default_factory=dict)  # chart SVGs by app-asset name
    in_cache: bool = False  # a hit not loaded yet (`prepare(cached_keys=...)`)


def cache_key(
    note: SessionNote,
    integrity: signing.Integrity,
    charts: Sequence[NoteChart],
    rule: CopyRule | None = None,
) -> str | None:
    """The note's PDF cache key; None when it is not cacheable (a draft, a failed check)."""
    if not (note.status == NoteStatus.SIGNED and integrity.ok):
        return None
    version = f"{TEMPLATE_VERSION}:{charts_digest(charts)}{partner_copy.cache_suffix(rule)}"
    return signing.pdf_cache_key(note, list(note.addenda), version)


def cache_key_with(
    note: SessionNote,
    integrity: signing.Integrity,
    charts: Sequence[NoteChart],
    rule: CopyRule | None,
    cosignature: dict | None,
) -> str | None:
    """`cache_key`, with the co-signature folded in when there is one (it is printed too)."""
    key = cache_key(note, integrity, charts, rule)
    if key is not None and cosignature is not None:
        key = hashlib.sha256(f"{key}|{cosignature['hash'] or 'awaiting'}".encode()).hexdigest()
    return key


def prepare(
    note: SessionNote,
    integrity: signing.Integrity,
    practice: Practice,
    *,
    charts: Sequence[NoteChart],
    rule: CopyRule | None = None,
    cached_keys: set[str] | None = None,
    cosignature: dict | None = None,
) -> PreparedPdf:
    """Look up the cache and build the HTML (only on a miss). With ``cached_keys`` (found by a
    ZIP in one query) a hit is only noted: the ZIP reads each PDF as it writes it. A note that
    fails its signature check is never cached: it renders every time, with the warning."""
    key = cache_key_with(note, integrity, charts, rule, cosignature)
    if key is not None and cached_keys is not None and key in cached_keys:
        return PreparedPdf(note.id, note.practice_id, key, "", None, in_cache=True)
    if key is not None and cached_keys is None:
        hit = db.session.scalar(select(NotePdfCache.pdf).where(NotePdfCache.cache_key == key))
        if hit is not None:
            return PreparedPdf(note.id, note.practice_id, key, "", hit)
    html = note_html(note, integrity, practice, charts, rule=rule, cosignature=cosignature)
    assets = {chart.asset_name: chart.svg for chart in charts}
    return PreparedPdf(note.id, note.practice_id, key, html, None, assets)


def produce(prepared: PreparedPdf) -> tuple[bytes, bool]:
    """The PDF bytes and whether they came from the cache; stores a fresh render in the cache."""
    if prepared.cached_pdf is not None:
        return prepared.cached_pdf, True
    if prepared.in_cache:
        raise ExportFailed("A note changed while the export was built. Please try again.")
    pdf = render(prepared.html, prepared.assets)
    if prepared.cache_key is not None:
        # Older entries (before an addendum or a template change) can never be hit again.
        db.session.execute(delete(NotePdfCache).where(NotePdfCache.note_id == prepared.note_id))
        db.session.add(
            NotePdfCache(
                practice_id=prepared.practice_id,
                note_id=prepared.note_id,
                cache_key=prepared.cache_key,
                pdf=pdf,
            )
        )
        db.session.flush()
    return pdf, False


def note_filename(note_id: int) -> str:
    return f"session-note-{note_id}.pdf"


def export_note_pdf(actor: User, note_id: int) -> PdfResult:
    """One note as a PDF download, verified and audited with the SHA-256 of the bytes."""
    note = policy.note_for_therapist_or_404(actor, note_id)
    integrity = reading.check_integrity(actor, note)
    charts = note_charts(actor, note.couple, note.session_date, actor.practice.timezone)
    cosignature = cosignature_values(
        cosignature_for(SignedKind.NOTE, note.id), practice_zone(actor.practice.timezone)
    )
    pdf, cached = produce(
        prepare(note, integrity, actor.practice, charts=charts, cosignature=cosignature)
    )
    sha = hashlib.sha256(pdf).hexdigest()
    audit.record(
        "note.export_pdf",
        actor=actor,
        object_type="session_note",
        object_id=note.id,
        couple_id=note.couple_id,
        sha256=sha,
        status="cached" if cached else "rendered",
    )
    return PdfResult(pdf, note_filename(note.id), sha, cached)
