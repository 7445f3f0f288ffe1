"""Server-side sessions: the cookie holds a random token; data lives in `user_session`.

Flask's default cookie session cannot be revoked: a copied cookie would outlive a logout. Here
the server decides: a session is valid only while its row is unrevoked, seen within the idle limit
(staff and clients have their own) and younger than the absolute limit. Login rotates the token;
logout, deactivation and password changes revoke rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import Executable, bindparam, insert, select, update
from werkzeug.datastructures import CallbackDict

from therapy_portal.extensions import db
from therapy_portal.models import User, UserSession, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, row_id: int | None = None) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.row_id = row_id
        self.modified = False
        self.rotate = False
        self.revoke = False
        self.skip_touch = False
        # Set when the browser presented a session that had timed out or been revoked.
        self.expired_user_id: int | None = None
        self.expired_reason: str | None = None

    def regenerate(self) -> None:
        """Issue a new id at the next save; the old one stops working."""
        self.rotate = True
        self.modified = True

    def end(self) -> None:
        """Revoke this session on the server and forget its data."""
        self.clear()
        self.revoke = True


def idle_limit(app: Flask, data: dict[str, Any]) -> timedelta:
    staff = data.get("_staff", True)
    key = "SESSION_IDLE_MINUTES_STAFF" if staff else "SESSION_IDLE_MINUTES_CLIENT"
    return timedelta(minutes=app.config[key])


def idle_seconds_left(app: Flask, session: ServerSession, now: datetime) -> int:
    """Seconds until this session's idle limit, counting this request as activity if it will
    be saved as such (see `save_session`)."""
    last_seen = getattr(session, "last_seen_at", None) or now
    touch_due = now - last_seen > timedelta(seconds=app.config["SESSION_TOUCH_SECONDS"])
    if (touch_due or session.modified) and not session.skip_touch:
        last_seen = now
    left = idle_limit(app, dict(session)) - (now - last_seen)
    return max(0, int(left.total_seconds()))


def expiry_reason(app: Flask, row: UserSession, now: datetime) -> str | None:
    if row.revoked_at is not None:
        return "revoked"
    if now - row.created_at > timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"]):
        return "absolute"
    if now - row.last_seen_at > idle_limit(app, row.data or {}):
        return "idle"
    return None


# The session's user (and, through its joined relationship, the practice) comes in the same
# statement: Flask-Login's `load_user` then finds it in the identity map, so a signed-in page
# costs one round trip less (profiled on the caseload page). Built once: every request runs it.
_LOOKUP = (
    select(UserSession, User)
    .outerjoin(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


class DatabaseSessionInterface(SessionInterface):
    serializer = None

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 128:
            return ServerSession()
        found = db.session.execute(_LOOKUP, {"token_hash": hash_token(token)}).first()
        if found is None:
            return ServerSession()
        row = found[0]
        reason = expiry_reason(app, row, utcnow())
        if reason is not None:
            fresh = ServerSession()
            fresh.expired_user_id = row.user_id
            fresh.expired_reason = reason
            # Keep what an expired form stashed for its owner (see auth.pending).
            if row.data and row.data.get("_pending_post"):
                fresh["_pending_post"] = row.data["_pending_post"]
                fresh["_pending_owner"] = row.user_id
            if reason != "revoked":
                _write(
                    update(UserSession).where(UserSession.id == row.id).values(revoked_at=utcnow())
                )
            return fresh
        session = ServerSession(dict(row.data or {}), row_id=row.id)
        session.last_seen_at = row.last_seen_at  # type: ignore[attr-defined]
        # The identity map holds objects weakly: keep the user alive until the loader asks.
        session.loaded_user = found[1]  # type: ignore[attr-defined]
        return session

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        now = utcnow()

        if session.revoke or (session.rotate and session.row_id is not None):
            if session.row_id is not None:
                _write(
                    update(UserSession)
                    .where(UserSession.id == session.row_id)
                    .values(revoked_at=now, data={})
                )
            if session.revoke:
                response.delete_cookie(name, domain=domain, path=path)
                return
            session.row_id = None

        if session.row_id is None:
            if not session:
                return
            token = secrets.token_urlsafe(32)
            _write(insert(UserSession).values(**self._new_row(token, dict(session), now)))
            self._set_cookie(app, response, token)
            return

        if session.skip_touch and not session.modified:
            return  # e.g. the browser asking how long is left is not activity
        touch_due = now - getattr(session, "last_seen_at", now) > timedelta(
            seconds=app.config["SESSION_TOUCH_SECONDS"]
        )
        if session.modified or touch_due:
            values: dict[str, Any] = {"last_seen_at": now}
            if session.modified:
                values["data"] = dict(session)
                values["user_id"] = _user_id(session)
            _write(update(UserSession).where(UserSession.id == session.row_id).values(**values))

    def _new_row(self, token: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        from flask import request

        return dict(
            token_hash=hash_token(token),
            user_id=_user_id(data),
            practice_id=data.get("_practice_id"),
            data=data,
            created_at=now,
            last_seen_at=now,
            ip=(request.remote_addr or "")[:64],
            user_agent=(request.user_agent.string or "")[:200],
        )

    def _set_cookie(self, app: Flask, response: Response, token: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            token,
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )


def _write(statement: Executable) -> None:
    """The session store's own writes, on their own connection: they never commit (or wait on)
    the request's unit of work, which the request boundary owns (see boundary.py)."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def _user_id(data: dict[str, Any]) -> int | None:
    raw = data.get("_user_id")
    return int(raw) if raw is not None else None


def revoke_user_sessions(user_id: int, *, except_row_id: int | None = None) -> int:
    """Revoke every live session of a user (deactivation, password change). Flushes only."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), data={})
    )
    if except_row_id is not None:
        stmt = stmt.where(UserSession.id != except_row_id)
    return db.session.execute(stmt).rowcount or 0
