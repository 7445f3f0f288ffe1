"""`make cluster`: two app servers, a task-queue worker and nginx on one machine, on PostgreSQL and
Redis, so a person can watch a session, a login throttle, an export and an email cross servers.

Prepares the database (created if missing, migrated, demo data loaded once), writes nginx's
configuration into a run folder, then runs every process under honcho in the foreground: each
log line is prefixed with the process that wrote it, and one Ctrl-C stops them all.

Settings (environment):
  CLUSTER_PORT          nginx's port on 127.0.0.1 (default 8080); the app servers listen on the
                        next two ports (web1 = PORT+1, web2 = PORT+2)
  CLUSTER_DATABASE_URL  PostgreSQL database (default postgresql://postgres@127.0.0.1:5432/
                        therapy_portal_cluster); it is created when missing
  CLUSTER_REDIS_URL     Redis for the login throttle and the task queue
                        (default redis://127.0.0.1:6379/0)
  CLUSTER_RUN_DIR       where nginx's configuration, pid and temp files go (default
                        instance/cluster)
  NGINX                 the nginx binary (default /usr/sbin/nginx, Debian's package)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP = "therapy_portal:create_app()"


class ClusterError(SystemExit):
    """A problem the person starting the cluster can fix; printed without a traceback."""


def settings(environ: dict[str, str]) -> dict:
    port = int(environ.get("CLUSTER_PORT", "8080"))
    return {
        "port": port,
        "web_ports": (port + 1, port + 2),
        "database_url": environ.get(
            "CLUSTER_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/therapy_portal_cluster"
        ),
        "redis_url": environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "run_dir": Path(environ.get("CLUSTER_RUN_DIR", ROOT / "instance" / "cluster")).resolve(),
        "nginx": environ.get("NGINX", "/usr/sbin/nginx"),
    }


def portal_environment(conf: dict) -> dict[str, str]:
    """What every process of the cluster shares: one database, one Redis, one proxy to trust."""
    return {
        # Development: the mailbox page lists delivered email; cookies work over plain http.
        "THERAPY_PORTAL_ENV": "development",
        "FLASK_APP": "therapy_portal:create_app",
        "DATABASE_URL": conf["database_url"],
        "RATELIMIT_STORAGE_URI": conf["redis_url"],
        "TASK_QUEUE_URL": conf["redis_url"],
        "THERAPY_PORTAL_EXPORT_STORAGE": "database",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{conf['port']}",
        "THERAPY_PORTAL_PROXY_FIX_X_FOR": "1",
        "THERAPY_PORTAL_PROXY_FIX_X_PROTO": "1",
        "GUNICORN_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
    }


def check_services(conf: dict) -> None:
    if not os.access(conf["nginx"], os.X_OK):
        raise ClusterError(f"nginx not found at {conf['nginx']}: apt-get install nginx")
    try:
        redis.Redis.from_url(conf["redis_url"], socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise ClusterError(f"Redis is not reachable at {conf['redis_url']}: {error}") from None


def ensure_database(url: str) -> None:
    """Create the cluster's database on first start (the server must be running)."""
    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
                print(f"Created database {target.database}.")
    except sa.exc.OperationalError as error:
        raise ClusterError(f"PostgreSQL is not reachable for {url}: {error.orig}") from None
    finally:
        admin.dispose()


def prepare_data(env: dict[str, str]) -> None:
    flask = str(BIN / "flask")
    for args in (["db", "upgrade"], ["seed-demo", "--if-empty"], ["homework", "load-library"]):
        subprocess.run([flask, *args], env=env, check=True, cwd=ROOT)


def write_nginx_conf(conf: dict) -> Path:
    run_dir = conf["run_dir"]
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o755)  # nginx's workers (user nobody when started as root) use the temp dirs
    text = (ROOT / "deploy" / "nginx" / "cluster.conf").read_text()
    for name, value in {
        "RUN_DIR": str(run_dir),
        "PORT": str(conf["port"]),
        "WEB1_PORT": str(conf["web_ports"][0]),
        "WEB2_PORT": str(conf["web_ports"][1]),
    }.items():
        text = text.replace(f"@@{name}@@", value)
    path = run_dir / "nginx.conf"
    path.write_text(text)
    return path


def write_procfile(conf: dict, nginx_conf: Path) -> Path:
    gunicorn = f"{BIN / 'gunicorn'} -c {ROOT / 'deploy' / 'gunicorn.conf.py'}"
    web1, web2 = conf["web_ports"]
    lines = [
        f"web1: {gunicorn} -b 127.0.0.1:{web1} '{APP}'",
        f"web2: {gunicorn} -b 127.0.0.1:{web2} '{APP}'",
        f"worker: {BIN / 'flask'} worker",
        f"nginx: {conf['nginx']} -e stderr -p {conf['run_dir']} -c {nginx_conf}",
    ]
    path = conf["run_dir"] / "Procfile"
    path.write_text("\n".join(lines) + "\n")
    return path


def healthy(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


def announce_when_ready(conf: dict, honcho: subprocess.Popen) -> None:
    """Wait for both app servers, then nginx, and say where to go."""
    deadline = time.monotonic() + 120
    for port in (*conf["web_ports"], conf["port"]):
        while not healthy(port):
            if honcho.poll() is not None or time.monotonic() > deadline:
                return
            time.sleep(0.5)
    web1, web2 = conf["web_ports"]
    print(
        f"\n== Therapy Portal cluster ready at http://127.0.0.1:{conf['port']} (nginx)\n"
        f"   web1 http://127.0.0.1:{web1}, web2 http://127.0.0.1:{web2}; nginx's log lines name\n"
        "   the server that answered (upstream=...). Ctrl-C stops every process.\n",
        flush=True,
    )


def main() -> int:
    conf = settings(dict(os.environ))
    check_services(conf)
    env = {**os.environ, **portal_environment(conf)}
    ensure_database(conf["database_url"])
    prepare_data(env)
    procfile = write_procfile(conf, write_nginx_conf(conf))
    honcho = subprocess.Popen(
        [str(BIN / "honcho"), "-e", os.devnull, "-f", str(procfile), "-d", str(ROOT), "start"],
        env=env,
    )
    threading.Thread(target=announce_when_ready, args=(conf, honcho), daemon=True).start()
    while True:
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            # The terminal sent SIGINT to every process; honcho stops the rest and exits.
            signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
