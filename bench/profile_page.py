"""Profile one page in-process with pyinstrument, on a database made by bench/seed.py.

    python bench/profile_page.py postgresql://postgres@127.0.0.1:5432/bench_small /couples
    python bench/profile_page.py URL /checkins --partner --requests 100 --html /tmp/p.html

It builds the app as gunicorn would (development settings, the seed's signing key), signs in
through the real forms with Flask's test client (the seed's therapist, or with ``--partner`` the
first couple's partner A), requests the page a few times to warm it, then profiles
``--requests`` more and prints pyinstrument's call tree (or writes it as HTML), with the mean
time per request and the number of SQL statements per request (``--sql``: each statement's
mean time).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import pyotp
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import BENCH_PASSWORD, BENCH_TOTP_SECRET, SIGNING_KEY  # noqa: E402


def _post(client, path: str, page: str, fields: dict[str, str]):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"csrf_token": token.group(1) if token else "", **fields}
    return client.post(path, data=data, follow_redirects=True)


def signed_in_client(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    answer = _post(client, "/login", page, {"email": email, "password": BENCH_PASSWORD})
    for attempt in range(2):
        if answer.request.path != "/login/verify":
            break
        if attempt:  # a code works once per 30-second step: that one was spent, wait for the next
            time.sleep(30.5 - time.time() % 30)
        code = pyotp.TOTP(BENCH_TOTP_SECRET).now()
        answer = _post(client, "/login/verify", answer.get_data(as_text=True), {"code": code})
    if answer.request.path.startswith("/login"):
        raise SystemExit(f"signing in as {email} stopped at {answer.request.path}")
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="postgresql://... made by bench/seed.py")
    parser.add_argument("path", help="the page, e.g. /couples")
    parser.add_argument("--partner", action="store_true", help="sign in as partner A")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="time each SQL statement too")
    parser.add_argument("--html", help="write the profile as HTML to this file")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url.replace("postgresql://", "postgresql+psycopg://")
    os.environ.setdefault("NOTE_SIGNING_KEY", SIGNING_KEY)
    os.environ.setdefault("RATELIMIT_ENABLED", "false")
    from therapy_portal import create_app
    from therapy_portal.extensions import db

    app = create_app("development")
    with app.app_context():
        engine = db.engine
        first = db.session.execute(db.text("SELECT min(id) FROM couple")).scalar()
    email = f"p{first}a@bench.example" if args.partner else "therapist1@bench.example"
    client = signed_in_client(app, email)
    for _ in range(5):
        assert client.get(args.path).status_code == 200, args.path
    statements: list[str] = []
    timings: dict[str, list[float]] = {}

    def before(conn, cursor, statement, *rest):
        statements.append(statement)
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, *rest):
        spent = time.perf_counter() - conn.info.pop("bench_started")
        timings.setdefault(" ".join(statement.split())[:150], []).append(spent)

    from pyinstrument import Profiler  # only here: cpu_page.py reuses signed_in_client

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.requests):
            client.get(args.path)
    elapsed = time.perf_counter() - started
    print(
        f"{args.path}: {elapsed / args.requests * 1000:.1f} ms per request, "
        f"{len(statements) / args.requests:.1f} SQL statements per request, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if args.sql:
        print("SQL, mean ms per execution (executions), slowest first:")
        for text, spent in sorted(timings.items(), key=lambda kv: -sum(kv[1])):
            print(f"{sum(spent) / len(spent) * 1000:8.2f} ({len(spent):>4})  {text}")
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    else:
        print(profiler.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()
