"""`flask run-demo`: what `make run` does, in one process and quietly.

Brings the SQLite database to the latest migration (silently when it already is), loads the demo
practice once and the exercise library (both safe to run again), starts the task-queue worker
beside it, and serves on the loopback address. The address and the demo logins are printed last,
once the port is open, so they are what a person sees when the command settles.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from werkzeug.serving import make_server

from therapy_portal.extensions import db


def _upgrade_quietly() -> None:
    """`flask db upgrade` without Alembic's INFO lines (a fresh database still gets every step)."""
    from alembic import command

    config = current_app.extensions["migrate"].migrate.get_config()
    config.attributes["quiet"] = True
    command.upgrade(config, "head")


def _load_demo() -> bool:
    """The demo practice (first run only) and the exercise library; True if the practice is new."""
    from therapy_portal import demo
    from therapy_portal.homework.services import load_library
    from therapy_portal.models import Practice

    fresh = not db.session.scalar(select(func.count()).select_from(Practice))
    if fresh:
        demo.seed()
    load_library()
    db.session.commit()
    return fresh


def _start_worker(base: str) -> subprocess.Popen:
    """`flask worker --quiet` in its own process; it shares this terminal for console emails."""
    env = {**os.environ, "PUBLIC_BASE_URL": base}
    return subprocess.Popen([sys.executable, "-m", "flask", "worker", "--quiet"], env=env)


@click.command("run-demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-worker", is_flag=True, help="Serve without the task-queue worker.")
@click.option(
    "--no-remember", is_flag=True, help="Do not remember the address in instance/public_base_url."
)
@with_appcontext
def run_demo(host: str, port: int, no_worker: bool, no_remember: bool) -> None:
    """Migrate, load the demo practice, start the worker and serve (development only)."""
    from therapy_portal import demo

    app = current_app._get_current_object()
    if app.config.get("ENV_NAME") == "production":
        raise click.ClickException("run-demo is for development; production runs gunicorn.")
    base = f"http://{host}:{port}"
    app.config["PUBLIC_BASE_URL"] = base
    if not no_remember:  # `flask send-reminders` by hand links to the address last served
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        (Path(app.instance_path) / "public_base_url").write_text(base + "\n", encoding="utf-8")
    _upgrade_quietly()
    if _load_demo():
        click.echo("Loaded the demo practice.")
    server = make_server(host, port, app, threaded=True)
    worker = None if no_worker else _start_worker(base)
    click.echo(demo.logins_text())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
