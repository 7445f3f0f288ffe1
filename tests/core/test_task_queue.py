"""The task queue's wiring: storage by URL, enqueue after commit (never after a rollback)."""

from __future__ import annotations

import pytest
from huey import MemoryHuey, PriorityRedisHuey, SqliteHuey
from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.mail import queue_email
from therapy_portal.models import OutboxEmail
from therapy_portal.settings import ConfigurationError, remembered_base_url
from therapy_portal.tasks import _PENDING, build_huey


@pytest.fixture
def app_overrides() -> dict:
    return {"MAIL_DELIVER_ON_COMMIT": True}


def test_the_queue_url_chooses_the_storage(tmp_path):
    def build(url):
        return build_huey(url, name="t", instance_path=str(tmp_path))

    sqlite = build("sqlite:///{instance}/queue/q.sqlite3")
    assert isinstance(sqlite, SqliteHuey) and (tmp_path / "queue" / "q.sqlite3").exists()
    assert isinstance(build("redis://127.0.0.1:6379/2"), PriorityRedisHuey)
    assert isinstance(build("memory://"), MemoryHuey)
    with pytest.raises(ConfigurationError, match="TASK_QUEUE_URL"):
        build("amqp://broker")


def test_an_email_is_delivered_once_its_transaction_commits(ctx):
    queue_email("sam@example.com", "Hello", "Body")
    assert db.session.scalar(select(OutboxEmail.sent_at)) is None  # not before the commit
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(OutboxEmail.sent_at)) is not None


def test_a_rolled_back_email_asks_for_no_delivery(ctx):
    queue_email("sam@example.com", "Hello", "Body")
    assert db.session.info.get(_PENDING)
    db.session.rollback()
    assert not db.session.info.get(_PENDING)


def test_links_use_the_address_make_run_remembered(tmp_path):
    assert remembered_base_url(str(tmp_path)) is None
    (tmp_path / "public_base_url").write_text("http://127.0.0.1:8123\n")
    assert remembered_base_url(str(tmp_path)) == "http://127.0.0.1:8123"


def test_the_worker_runs_reminders_outbox_sweeps_and_export_clean_up_without_cron(app):
    from datetime import datetime

    from therapy_portal.tasks import huey_for

    periodic = {t.name: t for t in huey_for(app)._registry.periodic_tasks}
    assert {"send_reminders", "outbox_sweep", "job_sweep", "delete_expired_exports"} <= set(
        periodic
    )
    quarter_past = datetime(2026, 11, 30, 9, 15)
    assert periodic["send_reminders"].validate_datetime(quarter_past)
    assert not periodic["send_reminders"].validate_datetime(quarter_past.replace(minute=16))


def test_pages_link_the_mailbox_where_it_exists(client):
    assert 'href="/dev/mailbox"' in client.get("/login").get_data(as_text=True)
