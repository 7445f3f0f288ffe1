"""`make cluster` smoke test: two gunicorn servers, a worker and nginx on PostgreSQL and Redis.

Starts the real thing, reaches /healthz through nginx, logs in through nginx on one app server and
uses the session on the other, trips the login throttle across both, exports on one and downloads
from both, sees an invitation delivered by the worker in the mailbox, then sends the Ctrl-C a
terminal would and checks that every process stopped. Runs in the PostgreSQL pass (CI has
PostgreSQL, Redis and Debian's nginx). CLUSTER_TEST_PORT picks nginx's port (the app servers take
the next two); otherwise a free range is found, and if another program takes one of its ports
before nginx or gunicorn binds it (a port found free is only free at that moment), the cluster is
stopped and started again on another range. TEST_REDIS_URL picks the Redis database.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests import clock
from tests.conftest import IN_CI, TEST_DB
from tests.deploy.http import Browser
from therapy_portal.demo import DEMO_TOTP_SECRETS

ROOT = Path(__file__).resolve().parents[2]
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEMO_THERAPIST = ("maya.chen@riverside.example.org", "portal-demo-2026")
DEMO_ADMIN = "admin@riverside.example.org"

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(TEST_DB != "postgres", reason="the cluster runs on PostgreSQL"),
    pytest.mark.skipif(
        not IN_CI and not os.access(NGINX, os.X_OK), reason="nginx is not installed"
    ),
]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port_range(size: int = 3) -> int:
    configured = os.environ.get("CLUSTER_TEST_PORT")
    if configured:
        return int(configured)
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            start = probe.getsockname()[1]
        if start + size < 65536 and not any(port_is_open(start + n) for n in range(size)):
            return start
    pytest.fail("no free range of ports")


def drop_database(url: str) -> None:
    target = make_url(url)
    admin = sa.create_engine(
        target.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


class Cluster:
    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.web_ports = (port + 1, port + 2)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def lost_a_port(self) -> bool:
        """Whether nginx or a gunicorn found its port taken (gunicorn says "Connection in use"
        at once and retries; nginx says "Address already in use" and stops)."""
        output = self.output()
        return "Address already in use" in output or "Connection in use" in output

    def wait_until_ready(self, timeout: float = 150) -> bool:
        """True once the cluster is ready on its own ports; False if a port was taken."""
        deadline = time.monotonic() + timeout
        while "cluster ready at" not in self.output():
            if self.lost_a_port():
                return False
            if self.process.poll() is not None or time.monotonic() > deadline:
                if self.lost_a_port():  # said just before it stopped
                    return False
                pytest.fail("make cluster did not become ready:\n" + self.output()[-4000:])
            time.sleep(0.5)
        # "Ready" means every port answered /healthz, which another program's server on a port
        # gunicorn could not take would do as well; gunicorn has said so by now (it binds before
        # it loads the app, and readiness waits for both servers' apps).
        return not self.lost_a_port()

    def interrupt(self) -> int:
        """What Ctrl-C in the terminal does: SIGINT to the foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)

    def stop(self) -> None:
        """Ctrl-C, unless it has stopped already (what is left of its group is signalled too)."""
        with contextlib.suppress(ProcessLookupError):
            self.interrupt()


def start_cluster(env: dict[str, str], log: Path) -> Cluster:
    """`make cluster` on a free range of ports, again on another range while one is lost."""
    for _ in range(5):
        port = free_port_range()
        with log.open("w") as out:
            process = subprocess.Popen(
                ["make", "--no-print-directory", "cluster"],
                cwd=ROOT,
                env={**env, "CLUSTER_PORT": str(port)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, like a terminal's foreground job
            )
        running = Cluster(process, port, log)
        try:
            if running.wait_until_ready():
                return running
        except BaseException:
            running.stop()
            raise
        running.stop()
        if "CLUSTER_TEST_PORT" in os.environ:
            break
    pytest.fail("make cluster lost its ports every time:\n" + log.read_text()[-4000:])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    base = make_url(os.environ["TEST_DATABASE_URL"])
    database_url = base.set(drivername="postgresql", database=f"{base.database}_cluster")
    database_url = database_url.render_as_string(hide_password=False)
    run_dir = tmp_path_factory.mktemp("cluster")
    run_name = f"cluster-test-{secrets.token_hex(4)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("THERAPY_PORTAL_")}
    env.update(
        CLUSTER_DATABASE_URL=database_url,
        CLUSTER_REDIS_URL=REDIS_URL,
        CLUSTER_RUN_DIR=str(run_dir / "run"),
        NGINX=NGINX,
        # A queue and throttle counters of its own: nothing an earlier run left in Redis counts.
        THERAPY_PORTAL_TASK_QUEUE_NAME=run_name,
        THERAPY_PORTAL_RATELIMIT_KEY_PREFIX=run_name,
    )
    drop_database(database_url)
    try:
        running = start_cluster(env, run_dir / "cluster.log")
        yield running
        running.stop()
    finally:
        drop_database(database_url)
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"*{run_name}*"):
            store.delete(key)


def test_healthz_answers_through_nginx_from_both_servers(cluster):
    browser = Browser(cluster.port)
    replies = [browser.get("/healthz") for _ in range(4)]
    assert all(r.status == 200 and r.text.count('"ok"') == 2 for r in replies)
    upstreams = {r.headers["X-Upstream"] for r in replies}
    assert upstreams == {f"127.0.0.1:{p}" for p in cluster.web_ports}


def test_a_session_started_on_one_server_is_used_on_the_other(cluster):
    browser = Browser(cluster.port)
    login = browser.log_in(*DEMO_THERAPIST, DEMO_TOTP_SECRETS[DEMO_THERAPIST[0]])
    assert login.status == 302, login.text[-2000:]
    logged_in_on = login.headers["X-Upstream"]
    pages = [browser.get("/notes") for _ in range(3)]
    assert all(page.status == 200 and "Session notes" in page.text for page in pages)
    served_by = {page.headers["X-Upstream"] for page in pages}
    assert served_by - {logged_in_on}, "no page came from the other server"
    # The same session cookie straight at each server, without nginx, works too.
    for port in cluster.web_ports:
        direct = Browser(port)
        direct.cookies = dict(browser.cookies)
        assert direct.get("/notes").status == 200


def poll(fetch, done, timeout: float = 60):
    """Call `fetch` until `done(reply)`; every reply is kept (they alternate between servers)."""
    replies = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies.append(fetch())
        if done(replies[-1]):
            return replies
        time.sleep(0.3)
    pytest.fail(f"gave up after {timeout} s: {replies[-1].status} {replies[-1].text[:500]}")


def test_an_export_started_on_one_server_downloads_from_the_other(cluster):
    browser = Browser(cluster.port)
    assert browser.log_in(*DEMO_THERAPIST, DEMO_TOTP_SECRETS[DEMO_THERAPIST[0]]).status == 302
    today = clock.today()
    start = browser.post_form(
        "/notes/export",
        "/notes/export",
        {"date_from": (today - timedelta(days=365)).isoformat(), "date_to": today.isoformat()},
    )
    assert start.status == 302, start.text[-1500:]
    status_path = urlsplit(start.headers["Location"]).path
    polls = poll(
        lambda: browser.get(status_path + "/progress"),
        lambda reply: json.loads(reply.body)["status"] == "done",
    )
    assert {p.headers["X-Upstream"] for p in polls} <= {f"127.0.0.1:{p}" for p in cluster.web_ports}
    downloads = [browser.get(status_path + "/download") for _ in range(2)]
    assert {d.headers["X-Upstream"] for d in downloads} == {
        f"127.0.0.1:{p}" for p in cluster.web_ports
    }
    assert downloads[0].body == downloads[1].body
    with zipfile.ZipFile(io.BytesIO(downloads[0].body)) as archive:
        assert archive.testzip() is None and archive.namelist()


def test_an_invitation_written_on_one_server_is_delivered_by_the_worker(cluster):
    admin = Browser(cluster.port)
    assert admin.log_in(DEMO_ADMIN, DEMO_THERAPIST[1], DEMO_TOTP_SECRETS[DEMO_ADMIN]).status == 302
    email = f"new-therapist-{secrets.token_hex(4)}@example.org"
    invited = admin.post_form(
        "/admin/therapists", "/admin/therapists", {"name": "New Therapist", "email": email}
    )
    assert invited.status == 302, invited.text[-1500:]
    visitor = Browser(cluster.port)
    poll(lambda: visitor.get("/dev/mailbox"), lambda r: delivered_to(r.text, email), 30)
    # The worker printed the email as it delivered it; its link points at nginx's address.
    printed = cluster.output().split(f"--- email to {email}:", 1)[1].split("\n---", 1)[0]
    link = re.search(rf"http://127\.0\.0\.1:{cluster.port}/\S+", printed)
    assert link, printed
    assert visitor.get(urlsplit(link.group(0)).path).status == 200


def delivered_to(page: str, email: str) -> bool:
    """Whether the mailbox lists the email to `email` as delivered by the worker."""
    return any(
        f"To {email}" in article and "delivered" in article for article in page.split("<article")
    )


def test_the_login_throttle_counts_across_servers(cluster):
    browser = Browser(cluster.port)
    email = f"nobody-{secrets.token_hex(4)}@example.org"
    form = {
        "email": email,
        "password": "not the password 1",
        "csrf_token": browser.csrf_token("/login"),
    }
    attempts = [browser.request("POST", "/login", form) for _ in range(6)]
    # The failures are counted in the database, whichever server answered: after
    # LOGIN_DELAY_AFTER_FAILURES (3) from one address, the next tries are held back. (Runs after
    # the tests that sign in, since the delay holds this address for a while.)
    assert [a.status for a in attempts] == [401] * 3 + [429] * 3
    assert len({a.headers["X-Upstream"] for a in attempts[:3]}) == 2


def test_one_ctrl_c_stops_every_process(cluster):
    assert cluster.interrupt() is not None
    ports = (cluster.port, *cluster.web_ports)
    deadline = time.monotonic() + 15
    while any(port_is_open(p) for p in ports) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(port_is_open(p) for p in ports), cluster.output()[-3000:]
    output = cluster.output()
    for name in ("web1", "web2", "worker", "nginx"):
        assert f"{name}.1 stopped" in output
