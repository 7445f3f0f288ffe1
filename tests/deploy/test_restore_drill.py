"""The restore drill on PostgreSQL: pg_dump → a fresh database → flask db upgrade → the app serves a
signed note whose signature verifies. Runs in the PostgreSQL pass of `make test` (and so in CI)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.engine import make_url
from sqlalchemy.orm import selectinload

from deploy.restore_drill import GUNICORN_CONF
from tests.cluster.processes import fixture_encryption_keys
from tests.conftest import TEST_DB
from tests.deploy.http import Browser
from tests.factories import PASSWORD, make_couple, make_practice, make_user
from tests.notes.factories import make_note
from therapy_portal import create_app
from therapy_portal.extensions import db
from therapy_portal.models import Role
from therapy_portal.models.notes import SessionNote
from therapy_portal.notes import signing

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(TEST_DB != "postgres", reason="pg_dump drills PostgreSQL"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SIGNING_KEY = "restore-drill-signing-key"


def portal_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a development portal on `url`, signing with SIGNING_KEY."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THERAPY_PORTAL_")}
    return {
        **env,
        "THERAPY_PORTAL_ENV": "development",
        "FLASK_APP": "therapy_portal:create_app",
        "DATABASE_URL": url,
        "NOTE_SIGNING_KEY": SIGNING_KEY,
        # The seeded rows are encrypted under the testing key; a restore needs the same key.
        "ENCRYPTION_KEYS": fixture_encryption_keys(),
        **extra,
    }


def admin_engine() -> sa.Engine:
    """Connected to the server's `postgres` database, to create and drop the drill's databases."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    url = url.set(drivername="postgresql+psycopg", database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def database_url(name: str) -> str:
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql", database=name)
    return url.render_as_string(hide_password=False)


def drop(name: str) -> None:
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def source(worker_id) -> Iterator[dict]:
    """A database made by `flask db upgrade`, holding one signed note with an addendum."""
    name = f"{make_url(os.environ['TEST_DATABASE_URL']).database}_drill_src_{worker_id}"
    drop(name)
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = database_url(name)
    subprocess.run([BIN / "flask", "db", "upgrade"], env=portal_env(url), check=True)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "NOTE_SIGNING_KEY": SIGNING_KEY})
    with app.app_context():
        therapist = make_user(make_practice("Drill Practice"), Role.THERAPIST, credentials="LMFT")
        note = make_note(therapist, make_couple(therapist), signed=True, addenda=1)
        seeded = {"url": url, "email": therapist.email, "note_id": note.id}
        seeded["totp_secret"] = therapist.totp_secret
        seeded["signature"] = note.signature
        db.session.commit()
        db.engine.dispose()
    yield seeded
    drop(name)


@pytest.fixture(scope="module")
def dump(source, tmp_path_factory) -> Path:
    out = subprocess.run(
        [ROOT / "deploy" / "backup.sh", source["url"], tmp_path_factory.mktemp("backups")],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def run_drill(source: dict, dump: Path, target: str, *extra: str, **env: str):
    return subprocess.run(
        [sys.executable, ROOT / "deploy" / "restore_drill.py", source["url"], "--dump", dump]
        + ["--target", target, *extra],
        env=portal_env(source["url"], **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def portal(url: str, socket_path: Path) -> Iterator[Browser]:
    """gunicorn (CSRF on, as in development) on `url`, reached through a Unix socket."""
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-c",
            GUNICORN_CONF,
            "-w",
            "1",
            "-b",
            f"unix:{socket_path}",
            "therapy_portal:create_app()",
        ],
        env=portal_env(url),
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists():
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield Browser(str(socket_path))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_restored_database_serves_the_signed_note_and_its_signature_verifies(
    source, dump, tmp_path
):
    target = f"{make_url(source['url']).database}_restored"
    try:
        result = run_drill(source, dump, target, "--keep")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 signed notes checked: every signature verifies." in result.stdout
        assert "Restore drill passed" in result.stdout
        with portal(database_url(target), tmp_path / "portal.sock") as browser:
            assert browser.log_in(source["email"], PASSWORD, source["totp_secret"]).status == 302
            page = browser.get(f"/notes/{source['note_id']}")
            assert page.status == 200 and "Signature verified" in page.text
            pdf = browser.get(f"/notes/{source['note_id']}/pdf")
        assert pdf.status == 200 and pdf.headers["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
        assert source["signature"] in text.replace("\n", "").replace(" ", "")
        app = create_app(
            "testing",
            {"SQLALCHEMY_DATABASE_URI": database_url(target), "NOTE_SIGNING_KEY": SIGNING_KEY},
        )
        with app.app_context():
            note = db.session.get(
                SessionNote, source["note_id"], options=[selectinload(SessionNote.addenda)]
            )
            assert note.signature == source["signature"]
            assert signing.verify(note, list(note.addenda)).ok
            db.engine.dispose()
    finally:
        drop(target)


def test_drill_fails_without_the_signing_key_and_leaves_no_database(source, dump):
    target = f"{make_url(source['url']).database}_wrong_key"
    result = run_drill(
        source, dump, target, NOTE_SIGNING_KEY="not the key the notes were signed with"
    )
    assert result.returncode != 0
    assert "1 of 1 signed notes fail their signature check" in result.stdout + result.stderr
    engine = admin_engine()
    with engine.connect() as conn:
        left = conn.scalar(
            sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": target}
        )
    engine.dispose()
    assert left == 0


def test_a_damaged_backup_is_refused_before_restoring(source, dump, tmp_path):
    damaged = tmp_path / dump.name
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (tmp_path / (dump.name + ".sha256")).write_text(
        dump.with_name(dump.name + ".sha256").read_text()
    )
    result = run_drill(source, damaged, f"{make_url(source['url']).database}_damaged")
    assert result.returncode != 0 and "does not match its checksum" in result.stderr
