"""What the development mailbox shows: each delivered email, appended to a JSON-lines file.

Invitation links are made only at delivery and never stored in the database, so the mailbox keeps
the delivered text itself, in `DEV_MAILBOX_FILE` (development only: `DEV_MAILBOX` is refused in
production). One line per email; the page reads the newest.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from therapy_portal.extensions import db
from therapy_portal.models import OutboxEmail, utcnow


def _path() -> Path | None:
    cfg = current_app.config
    if not (cfg.get("DEV_MAILBOX") and cfg.get("DEV_MAILBOX_FILE")):
        return None
    return Path(cfg["DEV_MAILBOX_FILE"].format(instance=current_app.instance_path))


def keep(email: OutboxEmail, body: str) -> None:
    """Record a delivered email (a no-op unless the development mailbox is on)."""
    path = _path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "id": email.id,
        "to": email.to_address,
        "subject": email.subject,
        "body": body,
        "sent_at": utcnow().isoformat(),
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def latest(count: int) -> list[dict]:
    """The newest `count` delivered emails, newest first."""
    path = _path()
    if path is None or not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        lines = deque(handle, maxlen=count)
    return [json.loads(line) for line in reversed(lines)]


def waiting() -> int:
    """How many emails the worker has not delivered (or cancelled) yet."""
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.cancelled_at.is_(None))
    )
