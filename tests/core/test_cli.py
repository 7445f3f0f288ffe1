"""The stable CLI: practice init, users create, seed-demo, demo-logins, send-reminders."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.factories import give_code
from therapy_portal import demo
from therapy_portal.extensions import db
from therapy_portal.models import Couple, OutboxEmail, Practice, User
from therapy_portal.passwords import verify_password


def test_practice_init_creates_the_first_admin(app, runner):
    result = runner.invoke(
        args=[
            "practice",
            "init",
            "--name",
            "Harbor",
            "--admin-email",
            "Owner@Example.com",
            "--admin-name",
            "Owner",
            "--password-stdin",
        ],
        input="a very long admin password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "owner@example.com"))
        assert admin.role == "admin"
        assert verify_password(admin.password_hash, "a very long admin password")


def test_practice_init_refuses_a_weak_password(app, runner):
    result = runner.invoke(
        args=[
            "practice",
            "init",
            "--name",
            "H",
            "--admin-email",
            "o@example.com",
            "--admin-name",
            "O",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code != 0 and "at least 12" in result.output


def test_users_create_with_password_from_stdin(app, runner):
    runner.invoke(
        args=[
            "practice",
            "init",
            "--name",
            "Harbor",
            "--admin-email",
            "o@example.com",
            "--admin-name",
            "O",
            "--password-stdin",
        ],
        input="a very long admin password\n",
    )
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--role",
            "therapist",
            "--email",
            "t@example.com",
            "--name",
            "Terry",
            "--password-stdin",
        ],
        input="therapist long password\n",
    )
    assert result.exit_code == 0, result.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--role",
            "therapist",
            "--email",
            "t@example.com",
            "--name",
            "Terry",
            "--password-stdin",
        ],
        input="therapist long password\n",
    )
    assert duplicate.exit_code != 0 and "already has an account" in duplicate.output


def test_users_create_without_a_practice_says_what_to_do(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--role",
            "therapist",
            "--email",
            "t@example.com",
            "--name",
            "T",
            "--password-stdin",
        ],
        input="therapist long password\n",
    )
    assert result.exit_code != 0 and "flask practice init" in result.output


def test_seed_demo_loads_a_practice_once(app, runner):
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already loaded" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Practice)) == 1
        assert db.session.scalar(select(func.count()).select_from(Couple)) >= 5
        therapists = db.session.scalar(
            select(func.count()).select_from(User).where(User.role == "therapist")
        )
        assert therapists == 2
    logins = runner.invoke(args=["demo-logins"])
    assert "maya.chen@riverside.example.org" in logins.output and "password" in logins.output
    # Staff sign in with a second step in the demo too: the printed code works.
    code = re.search(
        r"maya\.chen@riverside\.example\.org\s+key \w+\s+code now (\d{6})", logins.output
    )
    client = app.test_client()
    first = client.post(
        "/login", data={"email": "maya.chen@riverside.example.org", "password": demo.DEMO_PASSWORD}
    )
    assert first.location.endswith("/login/verify")
    assert give_code(client, code.group(1)).location.endswith("/today")


def test_send_reminders_delivers_the_outbox_once(app, runner):
    with app.app_context():
        from therapy_portal.mail import queue_email

        queue_email("x@example.com", "Subject", "Hello,\n\nSomething new.")
        db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    assert "sent 1 emails" in first.output, first.output
    second = runner.invoke(args=["send-reminders"])
    assert "sent 0 emails" in second.output
    with app.app_context():
        assert db.session.scalar(select(OutboxEmail.sent_at)) is not None


def test_accounts_made_at_the_terminal_are_audited_as_the_system(app, runner):
    from therapy_portal.models import AuditEvent

    init = ["practice", "init", "--name", "Harbor", "--admin-email", "o@example.com"]
    admin = runner.invoke(
        args=[*init, "--admin-name", "O", "--password-stdin"], input="a very long admin password\n"
    )
    assert admin.exit_code == 0, admin.output
    result = runner.invoke(
        args=["users", "create", "--role", "therapist", "--email", "t@example.com"]
        + ["--name", "Terry", "--password-stdin"],
        input="therapist long password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert [(e.action, e.actor_role, e.actor_id, e.request_id) for e in events] == [
            ("practice.create", "system", None, "cli"),
            ("admin.create_user", "system", None, "cli"),
            ("admin.create_user", "system", None, "cli"),
        ]
        assert [e.object_id for e in events[1:]] == [
            users["o@example.com"].id,
            users["t@example.com"].id,
        ]
        assert {e.practice_id for e in events} == {users["o@example.com"].practice_id}
        assert events[2].detail == {"role": "therapist"}
