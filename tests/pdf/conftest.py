"""Fixtures for the PDF tests: a loopback canary HTTP server and worker-pool cleanup."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from therapy_portal.pdf import shutdown_pool


@dataclass
class Canary:
    """A loopback HTTP server; ``hits`` lists the path of every request it received."""

    port: int
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler_for(canary_hits: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            canary_hits.append(self.path)
            body = b"INTERNAL-SECRET-TOKEN"
            self.send_response(200)
            self.send_header("Content-Type", "text/css" if "css" in self.path else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass

    return Handler


@pytest.fixture(scope="session")
def canary_server() -> Iterator[Canary]:
    """Start the canary on 127.0.0.1 (port 0) and prove that it records requests."""
    hits: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(hits))
    thread = threading.Thread(target=server.serve_forever, name="canary-http", daemon=True)
    thread.start()
    canary = Canary(port=server.server_address[1], hits=hits)
    # Without this self-check, "zero hits" in the tests could be vacuous.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    assert opener.open(canary.url("/self-check"), timeout=5).read() == b"INTERNAL-SECRET-TOKEN"
    assert hits == ["/self-check"]
    try:
        yield canary
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture()
def canary(canary_server: Canary) -> Canary:
    """The canary with its request log emptied for this test."""
    canary_server.hits.clear()
    return canary_server


@pytest.fixture(scope="session", autouse=True)
def _stop_pdf_worker_afterwards() -> Iterator[None]:
    yield
    shutdown_pool()
