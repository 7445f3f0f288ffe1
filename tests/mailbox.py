"""Read what the outbox delivered (the test mail backend keeps delivered messages in memory).

Invitation, password-reset and sign-in links exist only in the delivered message, never in the
database, so tests that follow a link first deliver the outbox, as `flask send-mail` would.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.mail import send_pending

INVITATION = "/invitations/"
RESET = "/password/reset/"
SIGN_IN = "/login/link/"


def link_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(r"https?://[^/\s]+(" + re.escape(prefix) + r"[A-Za-z0-9_\-]+)")


LINK = link_pattern(INVITATION)


def delivered_to(address: str) -> list[str]:
    """Deliver what is pending, then every body delivered to `address`, oldest first."""
    send_pending()
    return [m.body for m in current_app.extensions.get("sent_mail", []) if m.to == address]


def latest_link(address: str, prefix: str = INVITATION) -> str | None:
    """The path of the newest link under `prefix` delivered to `address`, or None."""
    link = link_pattern(prefix)
    for body in reversed(delivered_to(address)):
        found = link.search(body)
        if found:
            return found.group(1)
    return None


def latest_link_in(app, address: str, prefix: str = INVITATION) -> str | None:
    with app.app_context():
        return latest_link(address, prefix)


def every_stored_text() -> str:
    """Every column of every row of every table, as one string (to look for a token in)."""
    db.session.expire_all()
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            parts.extend(str(value) for value in row)
    return "\n".join(parts)
