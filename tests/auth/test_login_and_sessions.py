"""Login, logout and server-side sessions: rotation, revocation, timeouts, cookie flags."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.factories import PASSWORD, finish_login, login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, User, UserSession


def _cookie(client) -> str | None:
    cookie = client.get_cookie("tp_session")
    return cookie.value if cookie else None


def test_unknown_email_and_wrong_password_get_the_same_answer(client, world):
    unknown = login(client, "nobody@example.com", "whatever password")
    wrong = login(client, world.emails["therapist"], "wrong password here")
    assert unknown.status_code == wrong.status_code == 401
    message = b"That email and password don&#39;t match an account"
    assert message in unknown.data and message in wrong.data
    assert unknown.data.replace(b"nobody@example.com", b"X") == wrong.data.replace(
        world.emails["therapist"].encode(), b"X"
    )


def test_login_keeps_the_email_after_a_failed_attempt(client, world):
    response = login(client, world.emails["therapist"], "wrong password here")
    assert world.emails["therapist"].encode() in response.data


def test_session_id_changes_at_login(client, world):
    client.get("/couples")  # an anonymous session now exists (it remembers the login notice)
    before = _cookie(client)
    assert before
    login(client, world.emails["therapist"])
    after = _cookie(client)
    assert after and after != before
    # The pre-login session id no longer works.
    client.set_cookie("tp_session", before)
    assert client.get("/couples").status_code == 302


def test_logout_revokes_the_session_on_the_server(client, world):
    login(client, world.emails["therapist"])
    stolen = _cookie(client)
    assert client.get("/couples").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert "cache" in response.headers["Clear-Site-Data"]
    client.set_cookie("tp_session", stolen)
    replay = client.get("/couples")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_deactivation_ends_all_sessions_at_once(app, world):
    therapist, admin = app.test_client(), app.test_client()
    login(therapist, world.emails["other_therapist"])
    assert therapist.get("/couples").status_code == 200
    login(admin, world.emails["admin"])
    user_id, c2 = world.ids["other_therapist"], world.couple_ids["c2"]
    admin.post(f"/admin/users/{user_id}/couples", data={f"couple_{c2}": world.ids["therapist"]})
    deactivate = admin.post(f"/admin/users/{user_id}/deactivate", data={"confirmed": "yes"})
    assert deactivate.status_code == 302
    response = therapist.get("/couples")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # And they cannot log back in.
    assert login(therapist, world.emails["other_therapist"]).status_code == 401


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.emails["partner_a"])
    login(phone, world.emails["partner_a"])
    response = laptop.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/home").status_code == 200
    assert phone.get("/home").status_code == 302
    assert (
        login(app.test_client(), world.emails["partner_a"], "a brand new passphrase").status_code
        == 302
    )


def test_password_change_with_wrong_current_password_is_refused_with_a_message(client, world):
    login(client, world.emails["partner_a"])
    response = client.post(
        "/account/password",
        data={
            "current": "not my password",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 200
    assert b"Your current password is not right." in response.data


def _age_session(app, field: str = "last_seen_at", **delta) -> None:
    with app.app_context():
        for row in db.session.scalars(select(UserSession)):
            setattr(row, field, getattr(row, field) - timedelta(**delta))
        db.session.commit()


def test_staff_session_expires_after_30_idle_minutes(app, client, world):
    login(client, world.emails["therapist"])
    _age_session(app, minutes=29)
    assert client.get("/couples").status_code == 200
    _age_session(app, minutes=31)
    response = client.get("/couples")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert b"inactivity" in client.get("/login").data


def test_partner_idle_limit_is_longer_than_staff(app, client, world):
    login(client, world.emails["partner_a"])
    _age_session(app, minutes=45)
    assert client.get("/home").status_code == 200


def test_absolute_limit_ends_even_an_active_session(app, client, world):
    login(client, world.emails["therapist"])
    _age_session(app, "created_at", hours=12, minutes=1)
    assert client.get("/couples").status_code == 302


def test_session_cookie_flags(client, world):
    response = login(client, world.emails["therapist"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_production_cookie_is_secure_and_host_prefixed(monkeypatch, tmp_path):
    from therapy_portal import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("NOTE_SIGNING_KEY", "y" * 40)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/2")
    monkeypatch.setenv("ENCRYPTION_KEYS", "k1:" + "A" * 43 + "=")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_the_session_row_holds_the_data_not_the_cookie(app, client, world):
    login(client, world.emails["therapist"])
    token = _cookie(client)
    with app.app_context():
        rows = db.session.scalars(select(UserSession).where(UserSession.revoked_at.is_(None))).all()
        assert any(row.user_id == world.ids["therapist"] for row in rows)
    assert len(token) >= 40 and "." not in token  # random, not a signed data cookie


def test_login_logout_and_failures_are_audited_without_passwords(app, client, world):
    login(client, world.emails["therapist"], "wrong password here")
    login(client, world.emails["therapist"])
    client.post("/logout")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [(e.action, e.outcome) for e in events]
        assert ("auth.login_failed", "failure") in actions
        assert ("auth.login", "success") in actions
        assert ("auth.logout", "success") in actions
        failed = next(e for e in events if e.action == "auth.login_failed")
        assert failed.detail == {"reason": "bad_password"}
        assert failed.request_id and failed.ip == "127.0.0.1"
        for event in events:
            assert "wrong password" not in str(event.detail)


def test_inactive_user_cannot_log_in(app, client, world):
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == world.ids["therapist"]).values(active=False)
        )
        db.session.commit()
    assert login(client, world.emails["therapist"]).status_code == 401


def test_next_parameter_only_allows_local_paths(client, world):
    for target in (
        "https://evil.example.com/",
        "//evil.example.com",
        "/\\evil",
        "javascript:alert(1)",
    ):
        response = finish_login(
            client,
            client.post(
                f"/login?next={target}",
                data={"email": world.emails["therapist"], "password": PASSWORD},
            ),
            world.emails["therapist"],
        )
        assert response.headers["Location"] == "/today", target
        client.post("/logout")
    response = finish_login(
        client,
        client.post(
            "/login?next=/couples/new",
            data={"email": world.emails["therapist"], "password": PASSWORD},
        ),
        world.emails["therapist"],
    )
    assert response.headers["Location"] == "/couples/new"
