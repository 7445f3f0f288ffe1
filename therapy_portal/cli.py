"""Command-line tasks: `flask practice init`, `flask users create`, `flask seed-demo`, …"""

from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import func, select

from therapy_portal.extensions import db


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def register_commands(app: Flask) -> None:
    from therapy_portal import demo
    from therapy_portal.tasks import worker

    worker.register_commands(app)
    from therapy_portal.models import Practice, Role, User
    from therapy_portal.passwords import hash_password, password_problem
    from therapy_portal.security_cli import register_security_commands

    register_security_commands(app)

    @app.cli.group("practice")
    def practice_group() -> None:
        """Set up a practice."""

    @practice_group.command("init")
    @click.option("--name", required=True, help="The practice's name.")
    @click.option("--admin-email", required=True)
    @click.option("--admin-name", required=True)
    @click.option("--timezone", default="America/New_York", show_default=True)
    @click.option("--password-stdin", is_flag=True, help="Read the admin password from stdin.")
    def practice_init(
        name: str, admin_email: str, admin_name: str, timezone: str, password_stdin: bool
    ) -> None:
        """Create a practice and its first admin."""
        password = _read_password(password_stdin)
        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        if db.session.scalar(select(User).where(User.email == admin_email.strip().lower())):
            raise click.ClickException("That email already has an account.")
        practice = Practice(name=name, timezone=timezone)
        db.session.add(practice)
        db.session.flush()
        db.session.add(
            User(
                practice_id=practice.id,
                role=Role.ADMIN,
                name=admin_name,
                email=admin_email.strip().lower(),
                password_hash=hash_password(password),
            )
        )
        db.session.commit()
        click.echo(f"Practice {practice.id} created with admin {admin_email}.")

    @app.cli.group("users")
    def users_group() -> None:
        """Manage accounts."""

    @users_group.command("create")
    @click.option("--role", type=click.Choice(["admin", "therapist"]), required=True)
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--credentials", default="")
    @click.option(
        "--practice-id", type=int, default=None, help="Needed only when several practices exist."
    )
    @click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
    def users_create(
        role: str,
        email: str,
        name: str,
        credentials: str,
        practice_id: int | None,
        password_stdin: bool,
    ) -> None:
        """Create a staff account with a password."""
        practices = db.session.scalars(select(Practice).order_by(Practice.id)).all()
        if practice_id is None:
            if len(practices) != 1:
                raise click.ClickException(
                    f"Give --practice-id (there are {len(practices)} practices)."
                    if practices
                    else "No practice yet: run `flask practice init` first."
                )
            practice_id = practices[0].id
        elif practice_id not in {p.id for p in practices}:
            raise click.ClickException(f"No practice with id {practice_id}.")
        email = email.strip().lower()
        if db.session.scalar(select(User).where(User.email == email)):
            raise click.ClickException("That email already has an account.")
        if len(name) > 120:
            raise click.ClickException("The name is longer than 120 characters.")
        password = _read_password(password_stdin)
        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        db.session.add(
            User(
                practice_id=practice_id,
                role=role,
                email=email,
                name=name,
                credentials=credentials,
                password_hash=hash_password(password),
            )
        )
        db.session.commit()
        click.echo(f"Created {role} {email}.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when any practice exists.")
    def seed_demo(if_empty: bool) -> None:
        """Load a demo practice: an admin, therapists, couples, homework, notes, check-ins."""
        if if_empty and db.session.scalar(select(func.count()).select_from(Practice)):
            click.echo("Demo data already loaded.")
            return
        demo.seed()
        db.session.commit()
        click.echo("Demo practice loaded.")

    @app.cli.command("demo-logins")
    def demo_logins() -> None:
        """Print the demo accounts' logins."""
        click.echo(demo.logins_text())

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue due reminders and deliver the outbox. Idempotent; safe under cron."""
        from therapy_portal import reminders
        from therapy_portal.tasks.registry import deliver_outbox

        queued = reminders.queue_due_reminders()
        sent, failed = deliver_outbox(retry_when_busy=False)  # never beside a worker's delivery
        click.echo(f"Queued {queued} reminders; sent {sent} emails; {failed} failed.")
