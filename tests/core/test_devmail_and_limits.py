"""The development mailbox (development and tests only) and production's limiter-storage check."""

from __future__ import annotations

import pytest

from therapy_portal import create_app
from therapy_portal.extensions import db
from therapy_portal.mail import queue_email, send_pending
from therapy_portal.settings import ConfigurationError


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"DEV_MAILBOX_FILE": str(tmp_path / "dev-mailbox.jsonl")}


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("NOTE_SIGNING_KEY", "n" * 40)
    monkeypatch.setenv("ENCRYPTION_KEYS", "k1:" + "A" * 43 + "=")
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("THERAPY_PORTAL_RATELIMIT_SINGLE_PROCESS", raising=False)
    return monkeypatch


def test_the_mailbox_lists_emails_with_clickable_links_and_escaped_text(app, client):
    with app.app_context():
        queue_email(
            "sam@example.com",
            "You're invited <b>",
            "Hello <script>x</script>,\n\nhttp://127.0.0.1:5101/invite/abc?x=1&y=2\n",
        )
        db.session.commit()
    page = client.get("/dev/mailbox").get_data(as_text=True)
    assert "1 email waiting for the worker" in page and "sam@example.com" not in page
    with app.app_context():
        assert send_pending() == (1, 0)
    page = client.get("/dev/mailbox").get_data(as_text=True)
    assert 'href="http://127.0.0.1:5101/invite/abc?x=1&amp;y=2"' in page
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert "You&#39;re invited &lt;b&gt;" in page and "Nothing is waiting" in page


def test_the_mailbox_costs_the_same_queries_for_few_and_many_emails(app, client, count_queries):
    def fill(n):
        with app.app_context():
            for i in range(n):
                queue_email(f"p{i}@example.com", "Hi", "Body http://localhost/x")
            db.session.commit()
            send_pending()

    fill(2)
    with count_queries() as few:
        client.get("/dev/mailbox")
    fill(60)
    with count_queries() as many:
        client.get("/dev/mailbox")
    assert len(many.statements) == len(few.statements)


def test_production_has_no_mailbox_and_refuses_to_enable_it(production_env):
    production_env.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/2")
    app = create_app("production")
    assert "devmail.mailbox" not in {rule.endpoint for rule in app.url_map.iter_rules()}
    with pytest.raises(ConfigurationError, match="never in production"):
        create_app("production", {"DEV_MAILBOX": True})


def test_production_refuses_memory_limiter_storage_and_says_why(production_env):
    with pytest.raises(ConfigurationError, match="each process") as refused:
        create_app("production")
    assert "redis://" in str(refused.value) and "RATELIMIT_SINGLE_PROCESS" in str(refused.value)


def test_a_declared_single_process_may_keep_memory_storage_but_not_with_several_workers(
    production_env,
):
    production_env.setenv("THERAPY_PORTAL_RATELIMIT_SINGLE_PROCESS", "true")
    assert create_app("production").config["RATELIMIT_STORAGE_URI"] == "memory://"
    production_env.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(ConfigurationError, match="WEB_CONCURRENCY=4"):
        create_app("production")
