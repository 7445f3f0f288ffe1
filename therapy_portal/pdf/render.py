"""HTML -> PDF/UA-1 rendering, in-process or in a sandboxed, long-lived worker process.

``render_pdf_bytes`` renders in the calling process (tests, tools). ``render_pdf`` is what the
web app uses: it hands the HTML to one warm worker process (forkserver context, weasyprint
pre-imported, one warm-up render done) that applies ``RLIMIT_AS``/``RLIMIT_CPU`` around each
job. The parent enforces a wall-clock timeout, kills the worker when it is exceeded, starts a
fresh one in the background, and checks that the returned bytes are a well-formed PDF.

The rendering itself is in `engine`; the worker's loop and limits in `worker`.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import signal
import threading
from collections.abc import Mapping

from pypdf import PdfReader

from .engine import PdfRenderError, log_refusals, render_pdf_bytes
from .fetcher import checked_extra_assets
from .worker import Reply, worker_main

__all__ = ["PdfRenderError", "prewarm_pool", "render_pdf", "render_pdf_bytes", "shutdown_pool"]

MAX_HTML_CHARS = 5_000_000  # far beyond any real export; bigger input is refused up front
WORKER_START_TIMEOUT_S = 60.0  # worker start + warm-up render; not part of the render budget
_MAX_JOBS_PER_WORKER = 200  # recycle the worker now and then (memory growth, stale state)

MSG_TOO_LARGE = "The document is too large to render within the limits"
MSG_MEMORY = "Rendering ran out of memory"
MSG_REFUSED = "The document references an external resource, which is not allowed"
MSG_INVALID = "The renderer produced an invalid PDF"


class _Worker:
    """Parent-side handle of one worker process."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("forkserver")
        # Takes effect only if this process has not started its forkserver yet. Preloading
        # this module (hence weasyprint) lets a new worker start in milliseconds.
        ctx.set_forkserver_preload([__name__, "therapy_portal.pdf.worker"])
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=worker_main, args=(child_conn,), name="pdf-render-worker", daemon=True
        )
        self.process.start()
        child_conn.close()
        self.ready = False
        self.jobs = 0

    def wait_ready(self) -> None:
        """Block until the worker has finished its warm-up render."""
        if self.ready:
            return
        if not self.conn.poll(WORKER_START_TIMEOUT_S):
            raise PdfRenderError("The PDF renderer did not start in time")
        try:
            self.ready = self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            raise PdfRenderError("The PDF renderer failed to start") from None

    def stop(self) -> None:
        """Kill the worker and reap it."""
        self.process.kill()
        self.conn.close()
        self.process.join(5)


_lock = threading.Lock()  # one job at a time per web process; guards _worker
_worker: _Worker | None = None


def _current_worker() -> _Worker:
    """Return a live worker, starting one if needed (``_lock`` held)."""
    if _worker is None or not _worker.process.is_alive():
        _discard_worker(restart=True)
    assert _worker is not None
    return _worker


def _discard_worker(*, restart: bool) -> None:
    """Kill the current worker; optionally start its replacement now (``_lock`` held)."""
    global _worker
    if _worker is not None:
        _worker.stop()
        _worker = None
    if restart:
        _worker = _Worker()  # warms up in the background while the caller reports the error


def render_pdf(
    html: str,
    *,
    title: str,
    lang: str = "en",
    timeout_s: float = 30,
    memory_mb: int = 768,
    fail_closed: bool = False,
    assets: Mapping[str, bytes] | None = None,
) -> bytes:
    """Render ``html`` in the sandboxed worker and return checked PDF bytes.

    ``assets`` maps generated SVG names (``^[a-z0-9-]+\\.svg$``) to their bytes; they travel to
    the worker with the job and are served as ``app-asset:<name>`` (``ValueError`` on a bad name).
    ``PdfRenderError`` on oversize input, timeout, memory exhaustion, a worker crash, a
    refused resource with ``fail_closed``, or output that is not a well-formed PDF.
    """
    extra = dict(checked_extra_assets(assets))
    if len(html) + sum(len(content) for content in extra.values()) > MAX_HTML_CHARS:
        raise PdfRenderError(MSG_TOO_LARGE)
    if not _lock.acquire(timeout=timeout_s):
        raise PdfRenderError("The PDF renderer is busy; please try again in a moment")
    try:
        reply = _round_trip(html, title, lang, fail_closed, timeout_s, memory_mb, extra)
    finally:
        _lock.release()
    status, payload, pages, refused_schemes = reply
    log_refusals(refused_schemes)
    if status != "ok":
        messages = {"memory": MSG_MEMORY, "refused": MSG_REFUSED}
        raise PdfRenderError(messages.get(status, f"Rendering failed ({payload})"))
    pdf: bytes = payload
    _check_pdf(pdf, pages)
    return pdf


def _round_trip(
    html: str,
    title: str,
    lang: str,
    fail_closed: bool,
    timeout_s: float,
    memory_mb: int,
    assets: dict[str, bytes],
) -> Reply:
    """Send one job to the worker and wait for its reply (``_lock`` held)."""
    worker = _current_worker()
    try:
        worker.wait_ready()
    except PdfRenderError:
        _discard_worker(restart=False)
        raise
    cpu_s = int(timeout_s) + 2  # backstop only: the wall clock below fires first
    try:
        worker.conn.send((html, title, lang, fail_closed, memory_mb, cpu_s, assets))
        finished = worker.conn.poll(timeout_s)
    except (OSError, ValueError):
        finished = True  # broken pipe: handled as a crash below
    if not finished:
        _discard_worker(restart=True)
        raise PdfRenderError(f"Rendering took longer than {timeout_s:g} seconds")
    try:
        reply: Reply = worker.conn.recv()
    except (EOFError, OSError):
        worker.process.join(5)
        exitcode = worker.process.exitcode
        _discard_worker(restart=True)
        if exitcode == -signal.SIGXCPU:
            raise PdfRenderError(f"Rendering took longer than {timeout_s:g} seconds") from None
        raise PdfRenderError(
            f"{MSG_MEMORY} or the renderer crashed (exit status {exitcode})"
        ) from None
    worker.jobs += 1
    if reply[0] != "ok" or worker.jobs >= _MAX_JOBS_PER_WORKER:
        _discard_worker(restart=True)  # after a failure the worker's state is suspect
    return reply


def _check_pdf(pdf: bytes, pages: int) -> None:
    """Raise ``PdfRenderError`` unless ``pdf`` is complete: header, xref and trailer parse.

    The page tree is not walked: WeasyPrint puts all objects (the whole PDF/UA structure tree)
    in one object stream, which pypdf must fully parse to reach /Pages (~14 % of render time).
    """
    try:
        ok = pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:] and pages >= 1
        ok = ok and "/Root" in PdfReader(io.BytesIO(pdf), strict=True).trailer
    except Exception:  # noqa: BLE001 - any parse failure means "invalid"
        ok = False
    if not ok:
        raise PdfRenderError(MSG_INVALID)


def prewarm_pool() -> None:
    """Start the worker and wait for its warm-up (call in each web worker, after forking)."""
    with _lock:
        _current_worker().wait_ready()


def shutdown_pool() -> None:
    """Stop the worker process (tests, process exit); the next render starts a new one."""
    acquired = _lock.acquire(timeout=5)
    try:
        _discard_worker(restart=False)
    finally:
        if acquired:
            _lock.release()


def _after_fork_in_child() -> None:
    """A forked copy of this process must not share the parent's worker or lock."""
    global _lock, _worker
    _lock = threading.Lock()
    _worker = None


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(shutdown_pool)
