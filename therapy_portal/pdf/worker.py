"""The sandboxed render worker's side: warm up, then render each job under resource limits.

Runs in a process of its own (forkserver); the parent (`render`) sends jobs over a pipe and gets
back a reply that carries no user content: a status, the PDF bytes or an error's type name, the
page count, and the schemes of any refused resources.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
from multiprocessing.connection import Connection
from typing import Any

from .engine import refused_schemes, render_document
from .fetcher import AssetFetcher, FatalURLFetchingError

_MIB = 1024 * 1024
_KEEP_ENV = ("PATH", "HOME", "LANG", "LC_", "TZ", "TMPDIR", "FONTCONFIG", "XDG_")
Reply = tuple[str, Any, int, list[str]]  # (status, pdf bytes or error name, pages, schemes)


def worker_main(conn: Connection) -> None:
    """Worker loop: warm up, report ready, then serve jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not dump PHI to disk
    # Refusals are reported to the parent; WeasyPrint's own messages may quote user content.
    logging.getLogger("weasyprint").propagate = False
    render_document("<p>warm-up</p>", "warm-up", "en", AssetFetcher())  # fontconfig, caches
    for name in [n for n in os.environ if not n.startswith(_KEEP_ENV)]:
        del os.environ[name]  # defence in depth only: /proc/<ppid>/environ is same-uid readable
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(*job))


def _run_job(
    html: str,
    title: str,
    lang: str,
    fail_closed: bool,
    memory_mb: int,
    cpu_s: int,
    assets: dict[str, bytes],
) -> Reply:
    """Render one job under soft RLIMIT_AS/RLIMIT_CPU; the reply carries no user content."""
    fetcher = AssetFetcher(fail_closed=fail_closed, extra_assets=assets)
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    old_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_limit = int(usage.ru_utime + usage.ru_stime) + cpu_s  # RLIMIT_CPU is cumulative
    try:
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (_soft(cpu_limit, old_cpu[1]), old_cpu[1]))
            resource.setrlimit(resource.RLIMIT_AS, (_soft(memory_mb * _MIB, old_as[1]), old_as[1]))
            pdf, pages = render_document(html, title, lang, fetcher)
        finally:  # restore before anything else allocates (the reply, the next job)
            resource.setrlimit(resource.RLIMIT_AS, old_as)
            resource.setrlimit(resource.RLIMIT_CPU, old_cpu)
    except FatalURLFetchingError:
        return ("refused", None, 0, refused_schemes(fetcher.refused))
    except Exception as exc:  # noqa: BLE001 - reported to the parent by type name only
        status = "memory" if _from_memory_error(exc) else "error"
        return (status, type(exc).__name__, 0, refused_schemes(fetcher.refused))
    return ("ok", pdf, pages, refused_schemes(fetcher.refused))


def _from_memory_error(exc: BaseException | None) -> bool:
    """True if ``exc`` is, or was raised while handling, a ``MemoryError``."""
    while exc is not None and not isinstance(exc, MemoryError):
        exc = exc.__cause__ or exc.__context__
    return exc is not None


def _soft(wanted: int, hard: int) -> int:
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
