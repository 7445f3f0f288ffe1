"""Read what the outbox delivered (the test mail backend keeps delivered messages in memory).

Invitation links exist only in the delivered message, never in the database, so tests that
follow a link first deliver the outbox, as `flask send-mail` would.
"""

from __future__ import annotations

import re

from flask import current_app

from therapy_portal.mail import send_pending

LINK = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_\-]+)")


def delivered_to(address: str) -> list[str]:
    """Deliver what is pending, then every body delivered to `address`, oldest first."""
    send_pending()
    return [m.body for m in current_app.extensions.get("sent_mail", []) if m.to == address]


def latest_link(address: str) -> str | None:
    """The path of the newest invitation link delivered to `address`, or None."""
    for body in reversed(delivered_to(address)):
        found = LINK.search(body)
        if found:
            return found.group(1)
    return None


def latest_link_in(app, address: str) -> str | None:
    with app.app_context():
        return latest_link(address)
