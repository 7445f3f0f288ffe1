"""Benchmark: every therapist and partner page on a 200-couple and a large database, one run.

    python bench/seed.py postgresql://postgres@127.0.0.1:5432/bench_small
    python bench/seed.py postgresql://postgres@127.0.0.1:5432/bench_large --large
    python bench/pages.py --small postgresql://postgres@127.0.0.1:5432/bench_small \\
                          --large postgresql://postgres@127.0.0.1:5432/bench_large

For each database it starts ``gunicorn -w 2 -k sync`` on 127.0.0.1, signs in as the seed's
therapist and partner through the real login form (CSRF token read from the page), checks that
every page answers 200, and drives each page with ``wrk`` (8 connections, the session cookie
sent by a Lua script). It prints requests per second, p50 and p99 per page, the ratio to
``/healthz`` in the same run, the large/small p50 ratio, and the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import BENCH_PASSWORD, SIGNING_KEY  # noqa: E402

COOKIE = "tp_session"
THERAPIST_PAGES = [
    ("caseload (landing)", "/couples"),
    ("couple", "/couples/{couple}"),
    ("couple homework", "/homework/couples/{couple}"),
    ("assignment", "/homework/assignments/{assignment}"),
    ("review queue", "/homework/review"),
    ("review page", "/homework/occurrences/{waiting}/review"),
    ("notes list", "/notes"),
    ("couple notes", "/couples/{couple}/notes"),
    ("note view", "/notes/{note}"),
    ("progress", "/couples/{couple}/progress"),
    ("library", "/homework/library"),
    ("assign", "/homework/couples/{couple}/assign"),
]
PARTNER_PAGES = [
    ("partner home", "/home"),
    ("partner answer", "/homework/{upcoming}"),
    ("partner check-ins", "/checkins"),
]
IDS_SQL = {
    "couple": "SELECT min(id) FROM couple",
    "assignment": "SELECT min(id) FROM assignment WHERE couple_id = {couple}",
    "waiting": "SELECT min(id) FROM occurrence WHERE couple_id = {couple} "
    "AND reviewed_at IS NULL AND submitted_count > 0",
    "note": "SELECT max(id) FROM session_note WHERE couple_id = {couple}",
    "upcoming": "SELECT min(id) FROM occurrence WHERE couple_id = {couple} "
    "AND due_on >= current_date",
}


def page_ids(url: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        for key, sql in IDS_SQL.items():
            ids[key] = conn.execute(sql.format(**ids)).fetchone()[0]
    return ids


def start_server(url: str, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=url.replace("postgresql://", "postgresql+psycopg://"),
        NOTE_SIGNING_KEY=SIGNING_KEY,
        RATELIMIT_ENABLED="false",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "therapy_portal:create_app('development')",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return server
        except OSError:  # not listening yet, or still booting
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def sign_in(base: str, email: str) -> tuple[str, urllib.request.OpenerDirector]:
    """Log in through the form like a browser; returns the session cookie's value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": BENCH_PASSWORD}
    ).encode()
    opener.open(f"{base}/login", data=data, timeout=30).read()
    cookie = next((c.value for c in jar if c.name == COOKIE), None)
    if cookie is None:
        raise SystemExit(f"signing in as {email} gave no session cookie")
    return cookie, opener


def wrk(url: str, cookie: str | None, seconds: int, connections: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if cookie:
            script.write(f'wrk.headers["Cookie"] = "{COOKIE}={cookie}"\n')
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: non-2xx answers under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, _latency(out, "50%"), _latency(out, "99%")


def _latency(out: str, pct: str) -> float:
    value, unit = re.search(rf"{pct}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_database(
    url: str, port: int, seconds: int, connections: int, only: str | None = None
) -> dict[str, tuple]:
    ids = page_ids(url)
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        therapist, t_open = sign_in(base, "therapist1@bench.example")
        partner, p_open = sign_in(base, f"p{ids['couple']}a@bench.example")
        results = {"/healthz": wrk(f"{base}/healthz", None, seconds, connections)}
        for pages, cookie, opener in (
            (THERAPIST_PAGES, therapist, t_open),
            (PARTNER_PAGES, partner, p_open),
        ):
            for name, path in pages:
                if only and only not in name:
                    continue
                target = base + path.format(**ids)
                for _ in range(3):  # warm the workers and check the page answers 200
                    if opener.open(target, timeout=30).status != 200:
                        raise SystemExit(f"{target} did not answer 200")
                results[name] = wrk(target, cookie, seconds, connections)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(small: dict, large: dict) -> None:
    hs, hl = small["/healthz"][0], large["/healthz"][0]
    print(
        f"{'page':<20} | {'200 couples: req/s  p50 ms  p99 ms  x healthz':<46}"
        f"| {'large: req/s  p50 ms  p99 ms  x healthz':<41}| p50 large/small"
    )
    for name in small:
        s, g = small[name], large[name]
        print(
            f"{name:<20} | {s[0]:>17.0f} {s[1]:>7.1f} {s[2]:>7.1f} {s[0] / hs:>9.3f}     "
            f"| {g[0]:>12.0f} {g[1]:>7.1f} {g[2]:>7.1f} {g[0] / hl:>9.3f}  "
            f"| {g[1] / s[1]:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", required=True, help="URL of the seed's 200-couple database")
    parser.add_argument("--large", required=True, help="URL of the seed's --large database")
    parser.add_argument("--port", type=int, default=5200)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", help="run only the pages whose name contains this")
    args = parser.parse_args()
    before = os.getloadavg()
    started = time.monotonic()
    small = run_database(args.small, args.port, args.seconds, args.connections, args.only)
    large = run_database(args.large, args.port, args.seconds, args.connections, args.only)
    after = os.getloadavg()
    report(small, large)
    print(
        f"load average before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}; "
        f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}; "
        f"{os.cpu_count()} CPUs; {time.monotonic() - started:.0f} s; "
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, gunicorn -w 2 -k sync"
    )


if __name__ == "__main__":
    main()
