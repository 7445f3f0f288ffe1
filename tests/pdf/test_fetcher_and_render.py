"""Tests for therapy_portal.pdf: deny-all fetcher (SSRF proof), PDF/UA output, sandbox limits."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import weasyprint
from markupsafe import escape
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from therapy_portal.pdf import AssetFetcher, PdfRenderError, render_pdf, render_pdf_bytes
from therapy_portal.pdf import render as render_module
from therapy_portal.pdf.fetcher import asset_bytes

if TYPE_CHECKING:
    from tests.pdf.conftest import Canary

PRACTICE = "Harbor Couples Practice"
CONFIDENTIAL = "Confidential: contains protected health information."
HUGE_HTML = (
    "<html lang='en'><body>"
    + "".join(
        f"<p>Paragraph {i}: lorem ipsum dolor sit amet, consectetur adipiscing.</p>"
        for i in range(20_000)
    )
    + "</body></html>"
)


def _payload(canary: Canary) -> str:
    """Markup that makes WeasyPrint fetch from the canary through every known vector."""
    base = canary.url("")
    return (
        f"<style>@import url({base}/imp); p {{ background: url({base}/css-rule) }}</style>"
        "<script>document.title = 'pwned'</script>"
        f'<img src="{base}/img" alt="x">'
        f'<div style="background-image: url({base}/css)">styled</div>'
        f'<link rel="stylesheet" href="{base}/sheet.css">'
        f"<style>@font-face {{ font-family: Evil; src: url({base}/font) }}"
        " h2 { font-family: Evil }</style><h2>font</h2>"
        '<img src="file:///etc/passwd" alt="y">'
        f'<svg width="10" height="10"><image href="{base}/svg" width="10" height="10"/></svg>'
        f'<object data="{base}/obj"></object><embed src="{base}/emb">'
        f'<link rel="attachment" href="{base}/att">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<a rel="attachment" href="{base}/a-att">report</a>'
    )


def _document(body: str, *, paragraphs: int = 0) -> str:
    """The shape of the app's PDF templates, with ``body`` already escaped (or not)."""
    filler = "".join(f"<p>Progress note line {i}.</p>" for i in range(paragraphs))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Note</title></head>'
        f'<body><p class="pdf-practice">{PRACTICE}</p><h1 class="pdf-doc-title">Session note</h1>'
        f'<p class="pdf-confidential">{CONFIDENTIAL}</p><div class="note">{body}</div>'
        f"{filler}</body></html>"
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_no_attachments(pdf: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    assert dict(reader.attachments) == {}
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/Subtype") != "/FileAttachment"
    assert b"INTERNAL-SECRET" not in pdf
    return reader


RENDERERS: dict[str, Callable[..., bytes]] = {
    "in_process": render_pdf_bytes,
    "worker": render_pdf,
}


# ------------------------------------------------------------------------------------ fetcher


def test_weasyprint_version_floor() -> None:
    major = int(weasyprint.__version__.split(".")[0])
    assert major >= 70, "weasyprint < 70 has known url_fetcher bypasses (security.md §6)"


def test_fetcher_serves_app_asset() -> None:
    fetcher = AssetFetcher()
    response = fetcher.fetch("app-asset:print.css")
    assert response.content_type == "text/css"
    assert response.read() == asset_bytes("print.css")
    assert b"counter(pages)" in asset_bytes("print.css")
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x",
        "https://example.invalid/logo.png",
        "ftp://example.invalid/f",
        "file:///etc/passwd",
        "data:text/css,body{color:red}",
        "app-asset:missing.css",
        "app-asset:../render.py",
        "APP-ASSET:print.css",
        "print.css",
    ],
)
def test_fetcher_refuses_everything_else(url: str) -> None:
    fetcher = AssetFetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher(url)  # WeasyPrint calls the fetcher object itself
    assert fetcher.refused == [url]
    closed = AssetFetcher(fail_closed=True)
    with pytest.raises(FatalURLFetchingError):
        closed.fetch(url)
    assert closed.refused == [url]


def test_app_asset_passes_through_a_fail_closed_render() -> None:
    html = "<style>@import url(app-asset:print.css);</style><p>styled by the shipped sheet</p>"
    assert render_pdf_bytes(html, title="t", fail_closed=True).startswith(b"%PDF-")


def test_fetcher_base_configuration_is_deny_all(canary: Canary) -> None:
    """Second layer: even the inherited URLFetcher.fetch allows no protocol, no redirects."""
    fetcher = AssetFetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        URLFetcher.fetch(fetcher, canary.url("/base"))
    assert not any(isinstance(h, urllib.request.HTTPRedirectHandler) for h in fetcher.handlers)
    assert canary.hits == []


# ------------------------------------------------------------------------- SSRF safety proof


def test_canary_control_default_fetcher_is_vulnerable(
    canary: Canary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: the payload really does trigger fetches when the default fetcher is used."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    weasyprint.HTML(string=_document(_payload(canary)), base_url=None).write_pdf()
    assert {"/img", "/css", "/imp", "/css-rule", "/sheet.css", "/att"} <= set(canary.hits)


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_escaped_payload_fetches_nothing_and_is_printed(
    renderer: str, canary: Canary, caplog: pytest.LogCaptureFixture
) -> None:
    payload = _payload(canary)
    pdf = RENDERERS[renderer](_document(str(escape(payload))), title="Session note")
    assert canary.hits == []
    assert "refused" not in caplog.text  # escaped markup asks for nothing at all
    reader = _assert_no_attachments(pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    assert _squash(payload) in _squash(text)
    assert "root:x:0:0" not in text


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_raw_payload_template_bug_still_fetches_nothing(
    renderer: str, canary: Canary, caplog: pytest.LogCaptureFixture
) -> None:
    pdf = RENDERERS[renderer](_document(_payload(canary)), title="Session note")
    assert canary.hits == []
    # A security event by scheme only: URLs are user content and must not reach the logs.
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("therapy_portal"))
    assert "schemes: file, http, rel-attachment" in ours
    assert "127.0.0.1" not in ours and "passwd" not in ours
    if renderer == "worker":  # WeasyPrint's own messages (which quote URLs) stay in the worker
        assert "127.0.0.1" not in caplog.text
    reader = _assert_no_attachments(pdf)
    assert "root:x:0:0" not in "".join(page.extract_text() for page in reader.pages)


def test_raw_payload_fail_closed_aborts(canary: Canary) -> None:
    html = _document(_payload(canary))
    with pytest.raises(FatalURLFetchingError):
        render_pdf_bytes(html, title="Session note", fail_closed=True)
    with pytest.raises(PdfRenderError, match="external resource"):
        render_pdf(html, title="Session note", fail_closed=True)
    assert canary.hits == []


# ----------------------------------------------------------------------------- PDF/UA output


def test_pdf_is_tagged_pdf_ua_with_running_header_and_footer(tmp_path) -> None:
    pdf = render_pdf(_document("Body text.", paragraphs=90), title="Session note", lang="en")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert re.search(rb'pdfuaid:part(="1"|>1<)', xmp.stream.get_data())
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert reader.metadata is not None and reader.metadata.title == "Session note"
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert PRACTICE in pages[1] and CONFIDENTIAL in pages[1]  # running header and footer

    qpdf = shutil.which("qpdf")
    if qpdf is None:
        if os.environ.get("CI") == "true":
            pytest.fail("qpdf is required in CI")
        pytest.skip("qpdf not installed")
    target = tmp_path / "note.pdf"
    target.write_bytes(pdf)
    result = subprocess.run([qpdf, "--check", str(target)], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_incomplete_pdf_is_never_returned() -> None:
    pdf = render_pdf_bytes(_document("x"), title="t")
    render_module._check_pdf(pdf, 1)
    for broken, pages in ((pdf[:-200], 1), (pdf[: len(pdf) // 2], 1), (b"garbage", 1), (pdf, 0)):
        with pytest.raises(PdfRenderError, match="invalid PDF"):
            render_module._check_pdf(broken, pages)


# ------------------------------------------------------------------------------------ limits


def test_oversized_input_is_refused_up_front() -> None:
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="too large"):
        render_pdf("x" * (render_module.MAX_HTML_CHARS + 1), title="t")
    assert time.monotonic() - started < 1


def test_timeout_kills_render_and_pool_recovers() -> None:
    render_module.prewarm_pool()
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="took longer than 1 seconds"):
        render_pdf(HUGE_HTML, title="huge", timeout_s=1)
    assert time.monotonic() - started < 1 + 10
    assert PdfReader(io.BytesIO(render_pdf(_document("ok"), title="t"))).pages


def test_memory_limit_raises_and_pool_recovers() -> None:
    render_module.shutdown_pool()  # a fresh worker has no freed heap left to reuse
    with pytest.raises(PdfRenderError, match="memory"):
        render_pdf(HUGE_HTML, title="huge", memory_mb=128, timeout_s=60)
    assert PdfReader(io.BytesIO(render_pdf(_document("ok"), title="t"))).pages


def test_worker_crash_raises_and_pool_recovers() -> None:
    render_module.prewarm_pool()
    worker = render_module._worker
    assert worker is not None
    errors: list[BaseException] = []

    def run() -> None:
        try:
            render_pdf(HUGE_HTML, title="huge", timeout_s=60)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    os.kill(worker.process.pid, signal.SIGKILL)
    thread.join(30)
    assert len(errors) == 1 and isinstance(errors[0], PdfRenderError)
    assert "crashed" in str(errors[0])
    assert PdfReader(io.BytesIO(render_pdf(_document("ok"), title="t"))).pages
