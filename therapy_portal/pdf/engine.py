"""HTML -> PDF/UA-1 in this process, with the deny-all fetcher (what the worker runs per job)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping

from weasyprint import CSS, HTML

from .fetcher import AssetFetcher, asset_bytes

log = logging.getLogger("therapy_portal.pdf.render")

PDF_VARIANT = "pdf/ua-1"


class PdfRenderError(RuntimeError):
    """Rendering failed; the message is safe to show to users (it never contains PHI)."""


def render_pdf_bytes(
    html: str,
    *,
    title: str,
    lang: str = "en",
    fail_closed: bool = False,
    assets: Mapping[str, bytes] | None = None,
) -> bytes:
    """Render ``html`` to tagged PDF/UA-1 bytes in this process, with the deny-all fetcher.

    ``assets`` maps generated SVG names to their bytes, served as ``app-asset:<name>``.
    """
    fetcher = AssetFetcher(fail_closed=fail_closed, extra_assets=assets)
    try:
        return render_document(html, title, lang, fetcher)[0]
    finally:
        log_refusals(refused_schemes(fetcher.refused))


def render_document(html: str, title: str, lang: str, fetcher: AssetFetcher) -> tuple[bytes, int]:
    """Render with ``fetcher`` (shared by stylesheet and document); return (pdf, page count)."""
    stylesheet = CSS(
        string=asset_bytes("print.css").decode("utf-8"), base_url=None, url_fetcher=fetcher
    )
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], pdf_variant=PDF_VARIANT
    )
    metadata = document.metadata
    for _ in metadata.attachments:  # <link rel=attachment> is never embedded, whatever its URL
        with contextlib.suppress(ValueError):  # recorded; raises only when fail_closed
            fetcher.refuse("rel-attachment:")
    metadata.attachments = []
    metadata.title = title
    metadata.lang = lang
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


def refused_schemes(refused: list[str]) -> list[str]:
    """Reduce refused URLs to their schemes: user content must not reach the logs."""
    return sorted({url.split(":", 1)[0][:20] if ":" in url else "relative" for url in refused})


def log_refusals(schemes: list[str]) -> None:
    """Log refusals as a security event (ASVS 16.3.3), without the URLs themselves."""
    if schemes:
        log.warning(
            "security: PDF render refused external resources (schemes: %s)",
            ", ".join(schemes),
            extra={"event": "pdf.resource_refused"},
        )
