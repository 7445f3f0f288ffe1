"""Command-line tasks: `flask practice init`, `flask users create`, `flask seed-demo`, …

Accounts made here are made the way the app makes them: the password rules of `passwords`, one
account per address (`auth.services.normalise_email`), and an audit event. Nobody is signed in at
a terminal, so the event's actor is the system (`actor_role` "system", request id "cli").
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from therapy_portal.extensions import db

SYSTEM = "system"

practice_group = AppGroup("practice", help="Set up a practice.")
users_group = AppGroup("users", help="Manage accounts.")


def register_commands(app: Flask) -> None:
    from therapy_portal.devserver import run_demo
    from therapy_portal.security_cli import register_security_commands
    from therapy_portal.tasks import worker

    worker.register_commands(app)
    register_security_commands(app)
    app.cli.add_command(practice_group)
    app.cli.add_command(users_group)
    for command in (seed_demo, demo_logins, send_reminders, run_demo):
        app.cli.add_command(command)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _system_event(action: str, **fields) -> None:
    """An audit event for something done at the terminal: no signed-in actor."""
    from therapy_portal import audit

    event = audit.build_event(action, actor=None, **fields)
    event.actor_role = SYSTEM
    db.session.add(event)


def create_account(practice, *, role: str, email: str, name: str, credentials: str, password: str):
    """A staff account with a password, checked as the app checks one, and audited."""
    from therapy_portal.auth.services import normalise_email
    from therapy_portal.models import User
    from therapy_portal.passwords import hash_password, password_problem, person_context

    email = normalise_email(email)
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException("That email already has an account.")
    if len(name) > 120:
        raise click.ClickException("The name is longer than 120 characters.")
    problem = password_problem(password, person_context(name, email, practice.name))
    if problem:
        raise click.ClickException(problem)
    user = User(
        practice_id=practice.id,
        role=role,
        email=email,
        name=name,
        credentials=credentials,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    _system_event(
        "admin.create_user",
        object_type="user",
        object_id=user.id,
        practice_id=practice.id,
        role=role,
    )
    return user


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
    from therapy_portal.consents.services import ensure_documents
    from therapy_portal.models import Practice, Role

    password = _read_password(password_stdin)
    practice = Practice(name=name, timezone=timezone)
    db.session.add(practice)
    db.session.flush()
    _system_event(
        "practice.create", object_type="practice", object_id=practice.id, practice_id=practice.id
    )
    ensure_documents(practice.id)  # the default consent texts, for the admin to adapt
    create_account(
        practice,
        role=Role.ADMIN,
        email=admin_email,
        name=admin_name,
        credentials="",
        password=password,
    )
    db.session.commit()
    click.echo(f"Practice {practice.id} created with admin {admin_email}.")


def _practice_for(practice_id: int | None):
    from therapy_portal.models import Practice

    practices = db.session.scalars(select(Practice).order_by(Practice.id)).all()
    if practice_id is None:
        if len(practices) != 1:
            raise click.ClickException(
                f"Give --practice-id (there are {len(practices)} practices)."
                if practices
                else "No practice yet: run `flask practice init` first."
            )
        return practices[0]
    found = [p for p in practices if p.id == practice_id]
    if not found:
        raise click.ClickException(f"No practice with id {practice_id}.")
    return found[0]


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
    from therapy_portal.auth.services import find_user

    practice = _practice_for(practice_id)
    if find_user(email) is not None:  # say so before asking for a password
        raise click.ClickException("That email already has an account.")
    password = _read_password(password_stdin)
    create_account(
        practice, role=role, email=email, name=name, credentials=credentials, password=password
    )
    db.session.commit()
    click.echo(f"Created {role} {email.strip().lower()}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when any practice exists.")
def seed_demo(if_empty: bool) -> None:
    """Load a demo practice: an admin, therapists, couples, homework, notes, check-ins."""
    from therapy_portal import demo
    from therapy_portal.models import Practice

    if if_empty and db.session.scalar(select(func.count()).select_from(Practice)):
        click.echo("Demo data already loaded.")
        return
    from therapy_portal.homework.library import LibraryError

    try:
        demo.seed()
    except LibraryError as exc:
        raise click.ClickException(f"Demo practice not loaded, nothing changed. {exc}") from exc
    db.session.commit()
    click.echo("Demo practice loaded.")


@click.command("demo-logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo accounts' logins."""
    from therapy_portal import demo

    click.echo(demo.logins_text())


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Queue due reminders and deliver the outbox. Idempotent; safe under cron."""
    from therapy_portal import reminders
    from therapy_portal.tasks.registry import deliver_outbox

    queued = reminders.queue_due_reminders()
    sent, failed = deliver_outbox(retry_when_busy=False)  # never beside a worker's delivery
    click.echo(f"Queued {queued} reminders; sent {sent} emails; {failed} failed.")
