"""Reset and sign-in links: the token row is made when asked, the token when the email is sent.

`reserve` spends any open token of the same purpose and adds a row whose hash matches no token
anyone holds; the email is queued with the `mail_links` placeholder and a dedupe key naming that
row. At delivery `account_link` makes the token, stores only its SHA-256 on the row and returns
the link, which exists only in the delivered text.

Lifetime: counted from delivery, so "expires in 30 minutes" in the email is true when it arrives.
A request that is not delivered within that lifetime is dropped (the email is cancelled, never
sent late); asking again sends a new one. A newer request, or the token being used, also cancels
an email still waiting.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from therapy_portal.extensions import db
from therapy_portal.i18n import N_, for_person, gettext
from therapy_portal.models import AccountToken, OutboxEmail, TokenPurpose, User, utcnow
from therapy_portal.sessions import hash_token

KEY_PREFIX = "account_token:"
MINUTES = {
    TokenPurpose.PASSWORD_RESET: "PASSWORD_RESET_MINUTES",
    TokenPurpose.SIGN_IN_LINK: "SIGN_IN_LINK_MINUTES",
}
# The sentence around the link, in the recipient's language (written at delivery).
TEXTS = {
    TokenPurpose.PASSWORD_RESET: N_(
        "Choose a new password here. This link works once and expires in %(minutes)s minutes:"
    ),
    TokenPurpose.SIGN_IN_LINK: N_(
        "To finish signing in, open this link. It works once and expires in %(minutes)s minutes:"
    ),
}
PATHS = {TokenPurpose.PASSWORD_RESET: "/password/reset/", TokenPurpose.SIGN_IN_LINK: "/login/link/"}


def minutes_for(purpose: TokenPurpose) -> int:
    return current_app.config[MINUTES[purpose]]


def reserve(user: User, purpose: TokenPurpose) -> str:
    """A token row for `user` to be given its token at delivery; returns the email's dedupe key.

    Any open token of the same purpose stops working."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    row = AccountToken(
        practice_id=user.practice_id,
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(secrets.token_urlsafe(32)),  # of a token nobody keeps
        created_at=now,
        expires_at=now + timedelta(minutes=minutes_for(purpose)),
    )
    db.session.add(row)
    db.session.flush()
    return f"{KEY_PREFIX}{row.id}"


def _reserved_row(email: OutboxEmail) -> AccountToken | None:
    key = email.dedupe_key or ""
    if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX) :].isdigit():
        return None
    return db.session.get(AccountToken, int(key[len(KEY_PREFIX) :]))


def account_link(email: OutboxEmail) -> str | None:
    """The link of a reset or sign-in email, made now; None when it must not go out."""
    row = _reserved_row(email)
    now = utcnow()
    if row is None or row.purpose != email.kind or row.used_at is not None:
        return None
    user = db.session.get(User, row.user_id)
    if row.expires_at <= now or user is None or not user.active or user.email != email.to_address:
        return None
    purpose = TokenPurpose(row.purpose)
    token = secrets.token_urlsafe(32)
    row.token_hash = hash_token(token)
    row.expires_at = now + timedelta(minutes=minutes_for(purpose))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with for_person(user):
        sentence = gettext(TEXTS[purpose], minutes=minutes_for(purpose))
    return f"{sentence}\n{base}{PATHS[purpose]}{token}"
