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
from therapy_portal.errors import DomainError
from therapy_portal.extensions import db
from therapy_portal.measures.note_charts import NoteChart, note_charts
from therapy_portal.models import Practice, User
from therapy_portal.models.notes import NotePdfCache, NoteStatus, SessionNote
from therapy_portal.notes import services, signing
from therapy_portal.notes.formats import ATTENDEES, FORMATS, MODALITIES, SERVICE_CODES
from therapy_portal.pdf import PdfRenderError, render_pdf
from therapy_portal.settings import PROJECT_ROOT
from therapy_portal.timezones import practice_zone

CONFIDENTIAL = (
    "Confidential health information. It may be disclosed only as the law allows or with the "
    "written authorization of the people it concerns. If you received it in error, destroy it "
    "and tell the practice."
)
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


def _time(value) -> str:
    return value.strftime("%H:%M") if value else "not recorded"


def _minutes(note: SessionNote) -> int | None:
    if not (note.start_time and note.end_time):
        return None
    return (note.end_time.hour * 60 + note.end_time.minute) - (
        note.start_time.hour * 60 + note.start_time.minute
    )


def note_context(
    note: SessionNote,
    integrity: signing.Integrity,
    practice: Practice,
    couple_name: str,
    charts: Sequence[NoteChart] = (),
    *,
    withhold_digest: bool = False,
) -> dict:
    """Everything the print template shows, as plain values (chart bytes go as assets).

    ``withhold_digest`` (a partner's copy of the record) leaves out the generated digest: it
    lists both partners' check-in totals, safety alerts and homework comparisons.
    """
    tz = practice_zone(practice.timezone)
    fmt = FORMATS[note.format]
    sections = note.sections or {}
    return {
        "practice": {"name": practice.name, "address": practice.address, "phone": practice.phone},
        "couple_name": couple_name,
        "note": {
            "id": note.id,
            "signed": note.status == NoteStatus.SIGNED,
            "format_name": fmt.name,
            "session_date": note.session_date.strftime("%B %-d, %Y"),
            "start": _time(note.start_time),
            "end": _time(note.end_time),
            "minutes": _minutes(note),
            "attendees": ATTENDEES[note.attendees],
            "service_code": SERVICE_CODES[note.service_code],
            "modality": MODALITIES[note.modality],
            "interventions": note.interventions,
            "risk_screening": note.risk_screening,
            "next_session": note.next_session,
            "digest": "" if withhold_digest else note.digest,
            "digest_withheld": withhold_digest and bool(note.digest),
        },
        "sections": [
            {"title": s.title, "guidance": s.guidance, "text": sections.get(s.key, "")}
            for s in fmt.sections
        ],
        "addenda": [
            {
                "position": a.position,
                "kind": a.kind.replace("_", " ").capitalize(),
                "reason": a.reason,
                "body": a.body,
                "author": a.author_name,
                "credentials": a.author_credentials,
                "at": a.created_at.astimezone(tz).strftime("%B %-d, %Y at %H:%M %Z"),
            }
            for a in note.addenda
        ],
        "signature": {
            "name": note.signer_name,
            "credentials": note.signer_credentials,
            "at": note.signed_at.astimezone(tz).strftime("%B %-d, %Y at %H:%M %Z"),
            "hash": note.signature,
        }
        if note.signed_at
        else None,
        "integrity": {
            "checked": integrity.checked,
            "ok": integrity.ok,
            "problems": list(integrity.problems),
        },
        "charts": [
            {"title": c.title, "asset_name": c.asset_name, "alt": c.alt, "summary": c.summary}
            for c in charts
        ],
        "confidential": CONFIDENTIAL,
    }


def render_template(name: str, context: dict) -> str:
    return _ENV.get_template(name).render(**context)


def note_html(
    note: SessionNote,
    integrity: signing.Integrity,
    practice: Practice,
    charts: Sequence[NoteChart] = (),
    *,
    withhold_digest: bool = False,
) -> str:
    context = note_context(
        note, integrity, practice, note.couple.display_name, charts, withhold_digest=withhold_digest
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
    in_cache: bool = False  # a hit not yet loaded (`prepare(load_cached=False)`)


def prepare(
    note: SessionNote,
    integrity: signing.Integrity,
    practice: Practice,
    *,
    charts: Sequence[NoteChart],
    withhold_digest: bool = False,
    load_cached: bool = True,
) -> PreparedPdf:
    """Look up the cache and build the HTML (only when the cache misses).

    ``load_cached=False`` only notes a hit: a ZIP reads each PDF as it writes it.

    Only signed notes whose signatures verify are cached; a draft or a note that fails its check
    is rendered every time (the latter with the integrity warning in the PDF). ``charts`` come
    from `therapy_portal.measures.note_charts` (answers up to the session date only).
    """
    cacheable = note.status == NoteStatus.SIGNED and integrity.ok
    version = f"{TEMPLATE_VERSION}:{charts_digest(charts)}"
    if withhold_digest:  # a partner's copy is a different document: never share its cache entry
        version += ":partner-copy"
    key = signing.pdf_cache_key(note, list(note.addenda), version) if cacheable else None
    if key is not None and not load_cached:
        if db.session.scalar(select(NotePdfCache.id).where(NotePdfCache.cache_key == key)):
            return PreparedPdf(note.id, note.practice_id, key, "", None, in_cache=True)
    elif key is not None:
        hit = db.session.scalar(select(NotePdfCache.pdf).where(NotePdfCache.cache_key == key))
        if hit is not None:
            return PreparedPdf(note.id, note.practice_id, key, "", hit)
    html = note_html(note, integrity, practice, charts, withhold_digest=withhold_digest)
    assets = {chart.asset_name: chart.svg for chart in charts}
    return PreparedPdf(note.id, note.practice_id, key, html, None, assets)


def produce(prepared: PreparedPdf) -> tuple[bytes, bool]:
    """The PDF bytes and whether they came from the cache; stores a fresh render in the cache."""
    if prepared.cached_pdf is not None:
        return prepared.cached_pdf, True
    if prepared.in_cache:
        pdf = db.session.scalar(
            select(NotePdfCache.pdf).where(NotePdfCache.cache_key == prepared.cache_key)
        )
        if pdf is None:
            raise ExportFailed("A note changed while the export was built. Please try again.")
        return pdf, True
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
    integrity = services.check_integrity(actor, note)
    charts = note_charts(actor, note.couple, note.session_date, actor.practice.timezone)
    pdf, cached = produce(prepare(note, integrity, actor.practice, charts=charts))
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
