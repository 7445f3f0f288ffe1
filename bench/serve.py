"""The page benchmark's HTTP side: a gunicorn per database, signing in through the real
forms (password, then the second step's TOTP code), and one wrk run per page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import BENCH_PASSWORD, BENCH_TOTP_SECRET, SIGNING_KEY  # noqa: E402

COOKIE = "tp_session"


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


def _form_post(opener, url: str, page: str, fields: dict[str, str]):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit(f"no CSRF token on {url}")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
    return opener.open(url, data=data, timeout=60)


def sign_in(base: str, email: str) -> tuple[str, urllib.request.OpenerDirector]:
    """Log in through the forms like a browser (password, then the authenticator's code when
    the portal asks for it); returns the session cookie's value and the signed-in opener."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login", timeout=60).read().decode()
    answer = _form_post(opener, f"{base}/login", form, {"email": email, "password": BENCH_PASSWORD})
    for attempt in range(2):
        if urllib.parse.urlsplit(answer.geturl()).path != "/login/verify":
            break
        if attempt:  # a code works once per 30-second step: that one was spent, wait for the next
            time.sleep(30.5 - time.time() % 30)
        code = pyotp.TOTP(BENCH_TOTP_SECRET).now()
        try:
            answer = _form_post(opener, answer.geturl(), answer.read().decode(), {"code": code})
        except urllib.error.HTTPError as refused:  # the code was spent already: the page again
            answer = refused
    if urllib.parse.urlsplit(answer.geturl()).path.startswith("/login"):
        raise SystemExit(f"signing in as {email} stopped at {answer.geturl()}")
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
