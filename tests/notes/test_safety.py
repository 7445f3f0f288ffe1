"""Safety proof: hostile text in a note, an addendum and a homework answer stays literal text.

A canary HTTP server on loopback records every request; rendering the page and the PDF (in the
sandboxed worker, fail-closed) must send it none, and the PDF must carry no attachments.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from tests.factories import login
from tests.notes.factories import make_note
from tests.notes.test_pdf import pdf_text
from therapy_portal.extensions import db
from therapy_portal.notes import addenda, export, services
from therapy_portal.notes import digest as digests


class Canary:
    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"INTERNAL-SECRET")

            def log_message(self, *args):
                pass

        self.hits = hits
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    server = Canary()
    yield server
    server.close()


def payloads(port: int, where: str) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    return [
        f"<script>alert('{where}')</script>",
        f'<img src="{base}/{where}-img">',
        f'<p style="background: url({base}/{where}-css)">styled</p>',
        f"<style>@import url({base}/{where}-import.css);</style>",
        f'<img src="file:///etc/passwd" alt="{where}-file">',
        f'<link rel=attachment href="{base}/{where}-attachment">',
        '<link rel="attachment" href="file:///etc/passwd">',
    ]


@pytest.fixture
def hostile_note(people, canary):
    therapist, couple = people["therapist"], people["couple"]
    answer = "\n".join(payloads(canary.port, "homework"))

    def homework(couple, since, until):
        return [digests.DigestSection("Homework answers", [answer])]

    digests.digest_provider(homework)
    try:
        note = make_note(
            therapist,
            couple,
            sections={
                "data": "\n".join(payloads(canary.port, "note")),
                "assessment": "ok",
                "plan": "ok",
            },
        )
        from tests.notes.factories import note_input

        services.insert_digest(
            therapist,
            note,
            note_input(
                note,
                sections={
                    "data": "\n".join(payloads(canary.port, "note")),
                    "assessment": "ok",
                    "plan": "ok",
                },
            ),
            note.version,
        )
    finally:
        digests.unregister(homework)
    services.sign_note(therapist, note)
    addenda.add_addendum(
        therapist, note, "correction", "Hostile", "\n".join(payloads(canary.port, "addendum"))
    )
    db.session.commit()
    return note


def _flat(text: str) -> str:
    return "".join(text.split())


def test_hostile_text_renders_as_literal_text_in_the_page(people, hostile_note, canary, client):
    login(client, people["therapist"].email)
    page = client.get(f"/notes/{hostile_note.id}").get_data(as_text=True)
    for where in ("note", "addendum", "homework"):
        assert f"&lt;script&gt;alert(&#39;{where}&#39;)&lt;/script&gt;" in page
        assert f"&lt;img src=&#34;http://127.0.0.1:{canary.port}/{where}-img&#34;&gt;" in page
    assert "<script>alert" not in page and "<link rel=attachment" not in page
    assert canary.hits == []


def test_hostile_text_renders_as_literal_text_in_the_pdf_with_no_fetch_or_attachment(
    people, hostile_note, canary
):
    result = export.export_note_pdf(people["therapist"], hostile_note.id)
    text = _flat(pdf_text(result.pdf))
    for where in ("note", "addendum", "homework"):
        for payload in payloads(canary.port, where):
            assert _flat(payload) in text
    assert canary.hits == []
    reader = PdfReader(io.BytesIO(result.pdf))
    assert reader.attachments == {}
    assert b"/EmbeddedFiles" not in result.pdf and b"INTERNAL-SECRET" not in result.pdf


def test_hostile_text_in_a_zip_export_fetches_nothing(app, people, hostile_note, canary):
    from therapy_portal.models.notes import NoteExport
    from therapy_portal.notes import jobs

    job = jobs.start_couple_export(people["therapist"], people["couple"])
    db.session.commit()
    jobs.launch(job.id)
    db.session.expire_all()
    assert db.session.get(NoteExport, job.id).status == "done"
    assert canary.hits == []


def test_the_canary_does_see_a_fetch_from_an_unprotected_renderer(canary):
    """Control: without escaping and the deny-all fetcher, WeasyPrint would reach the canary."""
    from weasyprint import HTML

    HTML(string=f'<img src="http://127.0.0.1:{canary.port}/control">').write_pdf()
    assert canary.hits == ["/control"]
