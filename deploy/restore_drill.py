"""Restore drill: prove a backup brings the portal back, and time it.

    python deploy/restore_drill.py DATABASE_URL [--dump FILE] [--target NAME] [--keep]

1. Back up DATABASE_URL with deploy/backup.sh (or take an existing --dump; its .sha256 is checked).
2. Restore it into a fresh database on the same server (pg_restore, one transaction).
3. `flask db upgrade` on the restored database (an older backup is brought to today's schema).
4. `flask notes verify-signatures --fail-if-none`: every signed note verifies with NOTE_SIGNING_KEY,
   which is not in the database and must come from its own backup.
5. Start gunicorn on the restored database and ask it for /healthz.
6. Drop the restored database (unless --keep) and print how long each step took.

Run it with the portal's environment (THERAPY_PORTAL_ENV, NOTE_SIGNING_KEY, SECRET_KEY ...) and the
PostgreSQL client tools (pg_dump, pg_restore, createdb, dropdb) on PATH. Exit status 0 means the
drill passed.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
GUNICORN_CONF = str(HERE / "gunicorn.conf.py")
# One transaction: a restore that fails half-way leaves nothing behind. Roles and grants are the
# target server's own (pg_dump does not carry roles).
RESTORE_OPTIONS = ("--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges")


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket, so the drill needs no free port."""

    def __init__(self, path: str, timeout: float = 10) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def libpq_url(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@contextmanager
def step(name: str, timings: dict[str, float]) -> Iterator[None]:
    print(f"== {name}", flush=True)
    start = time.monotonic()
    yield
    timings[name] = time.monotonic() - start


def run(*args: str, env: dict | None = None) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def check_dump(dump: Path) -> None:
    checksum = dump.with_name(dump.name + ".sha256")
    if checksum.exists():
        expected = checksum.read_text().split()[0]
        actual = hashlib.sha256(dump.read_bytes()).hexdigest()
        if actual != expected:
            raise SystemExit(f"{dump} does not match its checksum: the backup is damaged.")
        print(f"   checksum ok ({actual[:16]}...)")
    run("pg_restore", "--list", str(dump))


def serve_healthz(env: dict, workdir: Path) -> dict:
    sock = str(workdir / "drill.sock")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            GUNICORN_CONF,
            "-w",
            "1",
            "-b",
            f"unix:{sock}",
            "therapy_portal:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(sock):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + server.communicate()[1])
            time.sleep(0.2)
        conn = UnixHTTPConnection(sock, timeout=90)  # the first request waits for a worker to boot
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise SystemExit(f"/healthz answered {response.status}: {body}")
        return body
    finally:
        server.terminate()
        server.wait(timeout=30)


def drill(args: argparse.Namespace) -> dict[str, float]:
    timings: dict[str, float] = {}
    source = libpq_url(args.database_url)
    target = args.target or f"{make_url(source).database}_drill_{int(time.time())}"
    restored = libpq_url(source, target)
    env = {**os.environ, "DATABASE_URL": restored, "FLASK_APP": "therapy_portal:create_app"}
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as tmp:
        workdir = Path(tmp)
        with step("backup", timings):
            dump = args.dump or Path(run(str(HERE / "backup.sh"), source, tmp))
            check_dump(Path(dump))
        run("createdb", f"--maintenance-db={source}", target)
        try:
            with step("restore", timings):
                run("pg_restore", *RESTORE_OPTIONS, f"--dbname={restored}", str(dump))
            with step("flask db upgrade", timings):
                run(str(BIN / "flask"), "db", "upgrade", env=env)
            with step("verify signed notes", timings):
                flask = str(BIN / "flask")
                print("   " + run(flask, "notes", "verify-signatures", "--fail-if-none", env=env))
            with step("serve", timings):
                print(f"   /healthz: {serve_healthz(env, workdir)}")
        finally:
            if not args.keep:
                run("dropdb", f"--maintenance-db={source}", "--force", target)
    print(f"Restore drill passed into {target}{' (kept)' if args.keep else ''}.")
    for name, seconds in timings.items():
        print(f"   {name:<22} {seconds:6.1f} s")
    print(f"   {'total':<22} {sum(timings.values()):6.1f} s")
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url", help="the database to back up; its server hosts the drill")
    parser.add_argument("--dump", type=Path, help="restore this backup instead of taking one")
    parser.add_argument("--target", help="name of the fresh database (default: <db>_drill_<time>)")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    drill(parser.parse_args(argv))


if __name__ == "__main__":
    main()
