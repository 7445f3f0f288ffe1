"""X-Forwarded-* headers are ignored unless the deployment says how many proxies to trust."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from therapy_portal import create_app
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent
from therapy_portal.policy import public
from therapy_portal.settings import ConfigurationError

CLIENT = "203.0.113.9"  # the address nginx saw, appended as the last X-Forwarded-For entry


def failed_login_ip(client, app, forwarded_for: str) -> str:
    response = client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong password 1"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert response.status_code == 401
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "auth.login_failed")
            .order_by(AuditEvent.id.desc())
        ).first()
        return event.ip


def seen_by_the_app(app, headers: dict) -> dict:
    """What a view sees of the request, through a probe route added to this test's app."""

    @public
    def probe():
        return {"scheme": request.scheme, "host": request.host, "addr": request.remote_addr}

    app.add_url_rule("/proxy-probe", "proxy_probe", probe)
    return app.test_client().get("/proxy-probe", headers=headers).get_json()


def test_forwarded_for_is_ignored_by_default(app, client):
    assert app.config["PROXY_FIX_X_FOR"] == 0
    assert failed_login_ip(client, app, CLIENT) == "127.0.0.1"


class TestBehindOneProxy:
    @pytest.fixture
    def app_overrides(self) -> dict:
        return {"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1}

    def test_forwarded_for_is_honoured(self, app, client):
        assert failed_login_ip(client, app, CLIENT) == CLIENT

    def test_only_the_entry_the_trusted_proxy_added_counts(self, app, client):
        # A client can send its own X-Forwarded-For; nginx appends the real address after it.
        assert failed_login_ip(client, app, f"198.51.100.7, {CLIENT}") == CLIENT

    def test_forwarded_proto_is_honoured(self, app):
        assert seen_by_the_app(app, {"X-Forwarded-Proto": "https"})["scheme"] == "https"


def test_forwarded_proto_and_host_are_ignored_by_default(app):
    seen = seen_by_the_app(app, {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.test"})
    assert seen == {"scheme": "http", "host": "localhost", "addr": "127.0.0.1"}


class TestAddressThrottle:
    @pytest.fixture
    def app_overrides(self) -> dict:
        return {"LOGIN_LIMIT_PER_ADDRESS": "3 per 15 minutes"}

    def test_rotating_forwarded_for_does_not_escape_the_address_limit(self, client):
        assert [self.fail_login(client, n) for n in range(5)] == [401, 401, 401, 429, 429]

    @pytest.mark.parametrize(
        "app_overrides", [{"LOGIN_LIMIT_PER_ADDRESS": "3 per 15 minutes", "PROXY_FIX_X_FOR": 1}]
    )
    def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(self, client):
        assert [self.fail_login(client, n) for n in range(5)] == [401] * 5

    @staticmethod
    def fail_login(client, n: int) -> int:
        return client.post(
            "/login",
            data={"email": f"person{n}@example.org", "password": "wrong password 1"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code


def test_proxy_count_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("THERAPY_PORTAL_PROXY_FIX_X_FOR", "1")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["PROXY_FIX_X_FOR"] == 1
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 1


@pytest.mark.parametrize("value", ["yes", -1, True, 1.5])
def test_a_proxy_count_that_is_not_a_count_is_refused(value):
    with pytest.raises(ConfigurationError, match="PROXY_FIX_X_FOR"):
        create_app("testing", {"PROXY_FIX_X_FOR": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
