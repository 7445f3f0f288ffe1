"""A person's own signed-in sessions (ASVS 7.5.2): see them, end one, end all the others.

What is shown is what the session row already holds (`sessions.py` writes it at sign-in): a
device and browser read from the user agent, the address, when it started and when it was last
active. Ending a session revokes its row, so the next request from that browser is signed out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from therapy_portal import audit
from therapy_portal.errors import InvalidState, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import User, UserSession, utcnow
from therapy_portal.sessions import expiry_reason, revoke_user_sessions


@dataclass(frozen=True)
class SignedInSession:
    id: int
    device: str
    ip: str
    started: datetime
    last_active: datetime
    current: bool


# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """ "Firefox on Windows", or "Unknown browser" when the user agent says nothing we know."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if re.search(mark, user_agent)), None)
    if browser and system:
        return gettext("%(browser)s on %(system)s", browser=browser, system=system)
    if browser:
        return browser
    return (
        gettext("A browser on %(system)s", system=system) if system else gettext("Unknown browser")
    )


def _live_rows(user: User) -> list[UserSession]:
    now = utcnow()
    oldest = now - timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    rows = db.session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.created_at > oldest,
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return [row for row in rows if expiry_reason(current_app, row, now) is None]


def signed_in_sessions(user: User, current_row_id: int | None) -> list[SignedInSession]:
    """The user's sessions that still work, this one first, then the most recently active."""
    found = [
        SignedInSession(
            id=row.id,
            device=describe_device(row.user_agent or ""),
            ip=row.ip or "unknown",
            started=row.created_at,
            last_active=row.last_seen_at,
            current=row.id == current_row_id,
        )
        for row in _live_rows(user)
    ]
    return sorted(found, key=lambda s: not s.current)


def end_session(user: User, session_id: int, current_row_id: int | None) -> None:
    """End one of the user's other sessions. Not theirs, or already ended: not found."""
    if session_id == current_row_id:
        raise InvalidState(gettext("To end this session, log out."))
    ended = db.session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), data={})
    ).rowcount
    if ended != 1:
        audit.record_denied(
            "auth.session_end", actor=user, object_type="user_session", object_id=session_id
        )
        raise NotAllowed("not found")
    audit.record("auth.session_end", actor=user, object_type="user_session", object_id=session_id)


def end_other_sessions(user: User, current_row_id: int | None) -> int:
    """End every session of the user but this one; returns how many ended."""
    ended = revoke_user_sessions(user.id, except_row_id=current_row_id)
    audit.record(
        "auth.other_sessions_end", actor=user, object_type="user", object_id=user.id, count=ended
    )
    return ended
