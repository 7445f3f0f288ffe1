"""Write the README's screenshots from the demo practice, so they show the portal as it is.

    .venv/bin/python scripts/screenshots.py                 # into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots

It loads the demo practice (as `make run` does) into a throwaway SQLite file, serves it on a free
loopback port in this process, and drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH)
through it: the therapist's Today, a couple's overview and the side-by-side review at 1280x800,
a partner's home on a 390x844 phone, and the first page of a signed session note's PDF (drawn
by pdftoppm from poppler-utils; without it, the note's web page instead).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from therapy_portal import create_app, demo  # noqa: E402
from therapy_portal.extensions import db  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SHOTS = {  # file → viewport it is taken at (the note PDF page is sized by its paper)
    "therapist-today.png": WIDE,
    "couple-overview.png": WIDE,
    "review-side-by-side.png": WIDE,
    "partner-phone.png": PHONE,
    "note-pdf.png": None,
}
THERAPIST, PARTNER = demo.STAFF[1][2], demo.COUPLES[0][2][1]


def demo_app(folder: Path):
    """The development app on a fresh SQLite file holding the demo practice."""
    from therapy_portal.homework.services import load_library

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.db"})
    with app.app_context():
        db.create_all()
        demo.seed()
        load_library()
        db.session.commit()
    return app


def _ids(app) -> dict[str, int]:
    """The couple, the reviewed homework and the signed note the screenshots show."""
    from therapy_portal.models import Couple
    from therapy_portal.models.homework import Occurrence, Response
    from therapy_portal.models.notes import SessionNote

    with app.app_context():
        couple = db.session.scalar(select(Couple).where(Couple.display_name == "Rivera & Brooks"))
        answered = (  # both partners have submitted: the side-by-side has two columns
            select(Response.occurrence_id)
            .where(Response.submitted_at.is_not(None))
            .group_by(Response.occurrence_id)
            .having(func.count() >= 2)
        )
        occurrence = db.session.scalar(
            select(Occurrence.id).where(Occurrence.id.in_(answered)).order_by(Occurrence.id)
        )
        note = db.session.scalar(
            select(SessionNote.id).where(SessionNote.signed_at.is_not(None)).limit(1)
        )
        return {"couple": couple.id, "occurrence": occurrence, "note": note}


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/verify"):
        code = pyotp.TOTP(demo.DEMO_TOTP_SECRETS[email]).now()
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def _note_page(page, note_id: int, out: Path) -> None:
    """The note PDF's first page as PNG (pdftoppm), or the note's web page without poppler."""
    target = out / "note-pdf.png"
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        page.goto(f"/notes/{note_id}")
        page.screenshot(path=str(target), full_page=True)
        return
    pdf = page.context.request.get(f"/notes/{note_id}/pdf")
    assert pdf.ok, f"note PDF: HTTP {pdf.status}"
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "note.pdf"
        source.write_bytes(pdf.body())
        prefix = Path(folder) / "page"
        subprocess.run(  # noqa: S603 - fixed arguments
            [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", source, prefix],
            check=True,
        )
        shutil.copyfile(prefix.with_suffix(".png"), target)


def take(base_url: str, ids: dict[str, int], out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        therapist = browser.new_context(base_url=base_url, viewport=WIDE).new_page()
        _log_in(therapist, THERAPIST)
        for name, path in (
            ("therapist-today.png", "/today"),
            ("couple-overview.png", f"/couples/{ids['couple']}"),
            ("review-side-by-side.png", f"/homework/occurrences/{ids['occurrence']}/review"),
        ):
            therapist.goto(path)
            therapist.screenshot(path=str(out / name))
        _note_page(therapist, ids["note"], out)
        partner = browser.new_context(base_url=base_url, viewport=PHONE).new_page()
        _log_in(partner, PARTNER)
        partner.screenshot(path=str(out / "partner-phone.png"))
        browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app.config["PUBLIC_BASE_URL"] = base_url
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            take(base_url, _ids(app), args.out)
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()
    for name in SHOTS:
        print(args.out / name)


if __name__ == "__main__":
    main()
