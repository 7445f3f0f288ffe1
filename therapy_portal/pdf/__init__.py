"""PDF export: deny-all asset fetcher and sandboxed WeasyPrint rendering (no Flask, no DB)."""

from __future__ import annotations

from .fetcher import AssetFetcher
from .render import PdfRenderError, prewarm_pool, render_pdf, render_pdf_bytes, shutdown_pool

__all__ = [
    "AssetFetcher",
    "PdfRenderError",
    "prewarm_pool",
    "render_pdf",
    "render_pdf_bytes",
    "shutdown_pool",
]
