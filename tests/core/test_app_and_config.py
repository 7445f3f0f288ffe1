"""Factory, configuration layers, health check, error pages and security headers."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from therapy_portal import create_app
from therapy_portal.extensions import db
from therapy_portal.settings import ConfigurationError


def test_templates_resolve_from_the_project_root(app):
    assert app.jinja_env.get_template("base.html") is not None


def test_testing_layer_overrides_defaults(app):
    assert app.config["TESTING"] is True
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None  # tokens live as long as the session
    assert app.config["SESSION_IDLE_MINUTES_STAFF"] == 30
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "NOTE_SIGNING_KEY"])
def test_production_refuses_to_start_and_names_what_is_missing(monkeypatch, tmp_path, missing):
    env = {
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "NOTE_SIGNING_KEY": "n" * 40,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigurationError, match=missing):
        create_app("production")


def test_production_refuses_a_short_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("NOTE_SIGNING_KEY", "n" * 40)
    monkeypatch.setenv("ENCRYPTION_KEYS", "k1:" + "A" * 43 + "=")
    with pytest.raises(ConfigurationError, match="too short"):
        create_app("production")


def test_postgres_urls_use_psycopg(monkeypatch):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_postgres_connections_get_the_planner_settings():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["options"] == "-c random_page_cost=1.1"
    assert options["pool_pre_ping"] is True
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c work_mem=8MB"}},
            "POSTGRES_SETTINGS": {"random_page_cost": "4", "jit": "off"},
        },
    )
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c work_mem=8MB -c random_page_cost=4 -c jit=off"
    )


def test_the_postgres_test_database_runs_with_the_planner_settings(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    with app.app_context():
        assert db.session.execute(text("SHOW random_page_cost")).scalar() == "1.1"


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigurationError, match="Unknown environment"):
        create_app("staging")


def test_healthz_reports_database_down(app, client, monkeypatch):
    from therapy_portal.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "unavailable"}


def test_healthz_with_an_unreachable_database(tmp_path):
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"<h1>Page not found</h1>" in response.data and b"<title>" in response.data


def test_friendly_500_page_hides_details(database_template, tmp_path):
    import shutil

    path = tmp_path / "db.sqlite3"
    if str(database_template).startswith("postgresql"):
        pytest.skip("uses a SQLite copy")
    shutil.copyfile(database_template, path)
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "PROPAGATE_EXCEPTIONS": False}
    )

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret stack detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"secret stack detail" not in response.data


def test_security_headers_on_every_page(client):
    for url in ("/login", "/healthz", "/no/such/page"):
        response = client.get(url)
        assert "object-src 'none'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Request-ID"]
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_times_are_shown_in_the_practice_timezone(app):
    from datetime import UTC, datetime

    local_time = app.jinja_env.filters["local_time"]
    with app.test_request_context():
        assert local_time(datetime(2026, 1, 15, 17, 0, tzinfo=UTC)) == "15 Jan 2026, 12:00 EST"
        assert local_time(datetime(2026, 7, 1, 3, 30, tzinfo=UTC)) == "30 Jun 2026, 23:30 EDT"
        assert local_time(datetime(2026, 7, 1, 3, 30, tzinfo=UTC), "%Y-%m-%d", zone=False) == (
            "2026-06-30"
        )
        assert local_time(None) == ""


def _production_env(monkeypatch, tmp_path, **overrides):
    env = {
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "NOTE_SIGNING_KEY": "n" * 40,
        "ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2",
        **overrides,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("key", ["SECRET_KEY", "NOTE_SIGNING_KEY"])
def test_production_refuses_keys_under_32_bytes(monkeypatch, tmp_path, key):
    _production_env(monkeypatch, tmp_path, **{key: "k" * 31})
    with pytest.raises(ConfigurationError, match=f"{key} is too short"):
        create_app("production")
    monkeypatch.setenv(key, "k" * 32)
    assert create_app("production").config[key] == "k" * 32


def test_production_refuses_smtp_without_tls_unless_allowed(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path, THERAPY_PORTAL_SMTP_STARTTLS="false")
    with pytest.raises(ConfigurationError, match="SMTP without TLS"):
        create_app("production")
    monkeypatch.setenv("THERAPY_PORTAL_SMTP_ALLOW_PLAINTEXT", "true")
    assert create_app("production").config["SMTP_STARTTLS"] is False


def test_permissions_policy_and_opener_policy_headers(client):
    response = client.get("/login")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "publickey-credentials" not in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
