"""`/dev/mailbox`, registered only when `DEV_MAILBOX` is on (development and tests, never
production): the latest delivered emails, newest first, with their links clickable, and how many
are still waiting for the worker.

Public on purpose: in development the person trying the product opens invitation links for
accounts they have not activated yet. Production has no such route at all.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template

from therapy_portal.devmail import store
from therapy_portal.policy import public

bp = Blueprint("devmail", __name__, url_prefix="/dev")
LATEST = 50
_URL = re.compile(r"(https?://[^\s<>\"']+)")


def body_parts(body: str) -> list[tuple[str, bool]]:
    """The body as (text, is_link) pieces; the template escapes both and links only URLs."""
    return [(part, bool(_URL.fullmatch(part))) for part in _URL.split(body) if part]


@bp.get("/mailbox")
@public
def mailbox():
    emails = store.latest(LATEST)
    return render_template(
        "devmail/mailbox.html",
        emails=[(email, body_parts(email["body"])) for email in emails],
        waiting=store.waiting(),
        latest=LATEST,
    )
