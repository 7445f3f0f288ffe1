"""Benchmark: ZIP exports of many notes through a real app server and a real queue worker.

    python bench/zip_export.py [--notes 200] [--storage local|database] [--port 5130]

Seeds a temporary SQLite database with one couple and N signed DAP notes (each with an addendum),
starts `gunicorn -w 1` and `flask worker -w 1` (SQLite queue) as separate processes, signs in
through the login form and then, timing each job from its claim to its publication (the job
row's `started_at` and `finished_at`, written by the worker):

* uncached: a ZIP of the N notes with the PDF cache empty (every note rendered in the sandboxed
            render process, stored in the cache, written to the ZIP);
* cached:   the same ZIP again (every PDF read from the cache);
* direct:   WeasyPrint alone rendering the same N notes' HTML in this process
            (`render_pdf_bytes`, same fetcher, stylesheet and PDF/UA-1 variant).

The cached ZIP is then downloaded through the app server, streamed to disk and checked against
its SHA-256. It prints the times, the ratio uncached/direct (target at most 1.3), the cached time
(target at most 3 s) and the peak resident memory (VmHWM) of the web process, the worker and the
worker's render process (target under 300 MB each).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "bench password 2026"  # noqa: S105 - a throwaway database
TEXT = (
    "Sam described feeling unheard when weekend plans changed at short notice; Alex said they "
    "withdraw when a conversation opens with criticism. We mapped the pursue-withdraw cycle. "
)


def seed(app, count: int) -> tuple[str, str, int]:
    from tests.factories import make_couple, make_practice, make_user
    from tests.notes.factories import make_note
    from therapy_portal.extensions import db
    from therapy_portal.models import Role

    with app.app_context():
        db.create_all()
        practice = make_practice("Riverside Couples Therapy")
        therapist = make_user(practice, Role.THERAPIST, name="Maya Chen", password=PASSWORD)
        couple = make_couple(therapist, name="Rivera & Brooks")
        sections = {"data": TEXT * 6, "assessment": TEXT * 4, "plan": TEXT * 2}
        for day in range(count):
            when = date.today() - timedelta(days=count - day)
            make_note(
                therapist, couple, signed=True, session_date=when, sections=sections, addenda=1
            )
        db.session.commit()
        return therapist.email, therapist.totp_secret, couple.id


class Processes:
    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder, self.procs = env, folder, {}

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen(
            args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self.procs[name]

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(timeout=30)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, form: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        return self.opener.open(self.base + path, data=data, timeout=600)

    def wait_up(self) -> None:
        for _ in range(300):
            try:
                self.open("/healthz").close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the app server did not start")


def run_export(client: Client, app, couple_id: int) -> tuple[int, float]:
    """Start a couple ZIP, wait for it, return (export id, seconds from claim to publication)."""
    from sqlalchemy import select

    from therapy_portal.extensions import db
    from therapy_portal.models import Job

    with client.open(f"/couples/{couple_id}/notes/export", {}) as response:
        path = urllib.parse.urlsplit(response.geturl()).path
    export_id = int(path.rsplit("/", 1)[1])
    while True:
        with client.open(path + "/progress") as response:
            state = json.load(response)
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    if state["status"] != "done":
        raise SystemExit(f"export failed: {state['error']}")
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.key == f"note_export:{export_id}"))
        return export_id, (job.finished_at - job.started_at).total_seconds()


def download(client: Client, app, export_id: int, target: Path) -> float:
    from therapy_portal.extensions import db
    from therapy_portal.models.notes import NoteExport

    started, digest = time.perf_counter(), hashlib.sha256()
    with client.open(f"/notes/exports/{export_id}/download") as response, target.open("wb") as out:
        for block in iter(lambda: response.read(1 << 16), b""):
            digest.update(block)
            out.write(block)
    elapsed = time.perf_counter() - started
    with app.app_context():
        expected = db.session.get(NoteExport, export_id).sha256
    if digest.hexdigest() != expected:
        raise SystemExit("the downloaded ZIP does not match its checksum")
    return elapsed


def direct_renders(app) -> float:
    """WeasyPrint alone on every note's exact HTML, in this process."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from therapy_portal.extensions import db
    from therapy_portal.models import User
    from therapy_portal.models.notes import SessionNote
    from therapy_portal.notes import export, reading
    from therapy_portal.pdf import render_pdf_bytes

    with app.app_context():
        actor = db.session.scalar(select(User).where(User.role == "therapist"))
        pages = [
            export.note_html(n, reading.check_integrity(actor, n), actor.practice)
            for n in db.session.scalars(
                select(SessionNote)
                .options(selectinload(SessionNote.addenda), selectinload(SessionNote.couple))
                .order_by(SessionNote.id)
            )
        ]
    render_pdf_bytes(pages[0], title="Session note")  # warm-up, as the render process had
    started = time.perf_counter()
    for html in pages:
        render_pdf_bytes(html, title="Session note")
    return time.perf_counter() - started


def processes(args, folder: Path, database: str) -> Processes:
    env = {
        **os.environ,
        "THERAPY_PORTAL_ENV": "development",
        "FLASK_APP": "therapy_portal:create_app",
        "DATABASE_URL": database,
        "TASK_QUEUE_URL": f"sqlite:///{folder}/queue.sqlite3",
        "EXPORT_STORAGE": args.storage,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "THERAPY_PORTAL_NOTE_EXPORT_DIR": str(folder / "exports"),
        "THERAPY_PORTAL_WTF_CSRF_ENABLED": "false",
    }
    procs = Processes(env, folder)
    web = [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{args.port}"]
    procs.start("web", [*web, "--no-control-socket", "therapy_portal:create_app()"])
    procs.start("worker", [str(BIN / "flask"), "worker", "--workers", "1"])
    return procs


def sign_in(client: Client, email: str, totp_secret: str) -> None:
    """Password, then the second step's code (staff have an authenticator)."""
    import pyotp

    with client.open("/login", {"email": email, "password": PASSWORD}) as response:
        at = urllib.parse.urlsplit(response.geturl()).path
    if at == "/login/verify":
        code = pyotp.TOTP(totp_secret).now()
        with client.open("/login/verify", {"code": code}) as response:
            at = urllib.parse.urlsplit(response.geturl()).path
    if at.startswith("/login"):
        raise SystemExit(f"signing in stopped at {at}")


def measure(args, app, procs: Processes, who: tuple[str, str], couple_id: int, folder: Path):
    client = Client(f"http://127.0.0.1:{args.port}")
    client.wait_up()
    sign_in(client, *who)
    _, uncached = run_export(client, app, couple_id)
    export_id, cached = run_export(client, app, couple_id)
    fetched = download(client, app, export_id, folder / "download.zip")
    web, worker = procs.procs["web"].pid, procs.procs["worker"].pid
    return {
        "uncached": uncached,
        "cached": cached,
        "fetched": fetched,
        "web_mb": max(peak_rss_mb(p) for p in [web, *descendants(web)]),
        "worker_mb": peak_rss_mb(worker),
        "render_mb": max([peak_rss_mb(p) for p in descendants(worker)] or [0.0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--storage", choices=["local", "database"], default="local")
    parser.add_argument("--port", type=int, default=5130)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zip-bench-"))
    database = f"sqlite:///{folder}/bench.sqlite3"
    from therapy_portal import create_app

    # The same configuration as the processes: signatures verify, so PDFs are cacheable.
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database})
    email, secret, couple_id = seed(app, args.notes)
    procs = processes(args, folder, database)
    try:
        m = measure(args, app, procs, (email, secret), couple_id, folder)
    finally:
        procs.stop()
    direct = direct_renders(app)
    size = (folder / "download.zip").stat().st_size / 1e6
    print(f"notes: {args.notes}, storage: {args.storage}, load average: {os.getloadavg()[0]:.1f}")
    print(f"ZIP, cached PDFs:     {m['cached']:7.2f} s   (target <= 3 s)")
    print(f"ZIP, uncached:        {m['uncached']:7.2f} s")
    print(f"direct renders:       {direct:7.2f} s")
    print(f"uncached / direct:    {m['uncached'] / direct:7.3f}     (target <= 1.3)")
    print(f"download (streamed):  {m['fetched']:7.2f} s   {size:.1f} MB, SHA-256 verified")
    print(f"peak RSS web:         {m['web_mb']:7.1f} MB  (target < 300)")
    print(f"peak RSS worker:      {m['worker_mb']:7.1f} MB  (target < 300)")
    print(f"peak RSS renderer:    {m['render_mb']:7.1f} MB")


if __name__ == "__main__":
    main()
