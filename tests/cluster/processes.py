"""Real app servers (gunicorn) and workers (`flask worker`) for multi-process tests.

They share one PostgreSQL database and one Redis (queue and login throttle), use database
export storage, and a short job lease so a killed worker's job is rescued within seconds. Every
process gets its own process group, so killing a worker also kills its PDF renderer.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.deploy.http import fresh_codes

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {REDIS_URL} (.ci/run starts it)")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def fixture_encryption_keys() -> str:
    """The key the test fixtures encrypt with (config/testing.toml), for spawned servers."""
    config = Path(__file__).resolve().parents[2] / "config" / "testing.toml"
    with config.open("rb") as handle:
        return tomllib.load(handle)["ENCRYPTION_KEYS"]


class Cluster:
    """Start processes with `web(port)` and `worker()`; leaving the block stops them all."""

    def __init__(self, database_url: str, tmp_path: Path, queue_url: str | None = None) -> None:
        """The queue is Redis unless `queue_url` says otherwise (e.g. a SQLite file)."""
        self.redis = None if queue_url else redis_or_skip()
        queue_url = queue_url or REDIS_URL
        self.queue = f"tp-test-{secrets.token_hex(4)}"
        self.export_dir = tmp_path / "exports"
        self.logs = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "THERAPY_PORTAL_ENV": "development",
            # The fixtures wrote their rows under the testing key: the servers must read them.
            "ENCRYPTION_KEYS": fixture_encryption_keys(),
            "FLASK_APP": "therapy_portal:create_app",
            "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://"),
            "TASK_QUEUE_URL": queue_url,
            "RATELIMIT_STORAGE_URI": REDIS_URL if self.redis else "memory://",
            "EXPORT_STORAGE": "database",
            "PUBLIC_BASE_URL": "http://127.0.0.1:5120",
            "THERAPY_PORTAL_TASK_QUEUE_NAME": self.queue,
            "THERAPY_PORTAL_NOTE_EXPORT_DIR": str(self.export_dir),
            "THERAPY_PORTAL_WTF_CSRF_ENABLED": "false",
            "THERAPY_PORTAL_JOB_LEASE_SECONDS": "3",
            "THERAPY_PORTAL_JOB_HEARTBEAT_SECONDS": "1",
            "THERAPY_PORTAL_JOB_SWEEP_SECONDS": "1",
            "THERAPY_PORTAL_DEV_MAILBOX_FILE": str(tmp_path / "dev-mailbox.jsonl"),
            "PYTHONUNBUFFERED": "1",  # the worker's console email reaches its log at once
        }

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.log_path(name).open("w")
        proc = subprocess.Popen(
            args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def log_path(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def web(self, port: int) -> str:
        address = f"127.0.0.1:{port}"
        self._start(
            f"web-{port}",
            [
                str(BIN / "gunicorn"),
                *("-w", "1", "-b", address, "--no-control-socket"),
                "therapy_portal:create_app()",
            ],
        )
        url = f"http://{address}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310
                    return url
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"app server on {address} did not start; see {self.logs}")

    def worker(self) -> subprocess.Popen:
        """A worker, returned once its consumer runs (a loaded machine takes seconds)."""
        name = f"worker-{len(self.procs)}"
        proc = self._start(name, [str(BIN / "flask"), "worker", "--workers", "1"])
        deadline = time.monotonic() + 60
        while "consumer started" not in self.log_path(name).read_text().lower():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise AssertionError(f"the worker did not start; see {self.log_path(name)}")
            time.sleep(0.2)
        return proc

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
        if self.redis is not None:
            for key in self.redis.scan_iter(f"*{self.queue}*"):
                self.redis.delete(key)


@dataclass
class Page:
    status: int
    path: str
    content_type: str
    body: bytes

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One cookie jar for every server (cookies for 127.0.0.1 ignore the port)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=60) as response:
                path = urllib.parse.urlsplit(response.geturl()).path
                return Page(
                    response.status, path, response.headers.get_content_type(), response.read()
                )
        except urllib.error.HTTPError as error:
            return Page(error.code, "", error.headers.get_content_type(), error.read())

    def get(self, server: str, path: str) -> Page:
        return self._open(urllib.request.Request(server + path))

    def post(self, server: str, path: str, **form: str) -> Page:
        data = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(server + path, data=data, method="POST"))

    def sign_in(self, server: str, email: str, password: str, totp_secret: str | None) -> Page:
        """The password, then the second step when the portal asks for it (staff always do)."""
        page = self.post(server, "/login", email=email, password=password)
        if page.ok and page.path == "/login/verify" and totp_secret:
            for code in fresh_codes(totp_secret):
                page = self.post(server, "/login/verify", code=code)
                if page.status != 401:
                    break
        return page
