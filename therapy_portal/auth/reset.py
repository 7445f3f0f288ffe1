"""Password reset and sign-in links by email: single-use tokens stored only as hashes.

The token is made only when the email is delivered (`token_links`); the outbox holds a placeholder.

A reset never bypasses the second factor: the reset page asks for it before the password changes,
and the next sign-in asks again. The request answers the same whether or not the address has an
account; only an existing, active account gets an email.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from therapy_portal import audit
from therapy_portal.auth import mfa, token_links
from therapy_portal.auth.services import find_user
from therapy_portal.errors import ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, gettext
from therapy_portal.mail import queue_email_for
from therapy_portal.mail_links import LINK_PLACEHOLDER
from therapy_portal.models import AccountToken, TokenPurpose, User, utcnow
from therapy_portal.passwords import hash_password, password_problem, person_context
from therapy_portal.sessions import hash_token, revoke_user_sessions


def open_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token of this purpose for an active user, or None."""
    row = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == hash_token(token or ""), AccountToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    return row if user is not None and user.active else None


def _spend(row: AccountToken) -> bool:
    """Mark a token used; False when another request spent it first."""
    spent = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(spent)


def _link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def request_reset(email: str) -> None:
    """Email a reset link if the address has an active account with a password; else nothing.

    The link is made when the email is delivered (`token_links`), never stored."""
    user = find_user(email)  # the one account with a password for this address, if any
    if user is None or not user.active:
        audit.record("auth.reset_requested", outcome="failure", reason="unknown")
        return
    purpose = TokenPurpose.PASSWORD_RESET
    queue_email_for(
        user,
        N_("Reset your Therapy Portal password"),
        N_(
            "Hello,\n\nSomeone (hopefully you) asked to reset your password.\n\n%(link)s\n\n"
            "If you did not ask, ignore this email: your password stays as it is."
        ),
        link=LINK_PLACEHOLDER,
        kind=purpose.value,
        practice_id=user.practice_id,
        dedupe_key=token_links.reserve(user, purpose),
    )
    audit.record(
        "auth.reset_requested",
        practice_id=user.practice_id,
        object_type="user",
        object_id=user.id,
    )


def reset_password(token: str, new_password: str, code: str | None) -> User:
    """Set a new password with a reset token and, when enrolled, the second factor.

    Every session of the user ends, and a notice is emailed. Raises ValidationFailed.
    """
    row = open_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None:
        raise ValidationFailed(gettext("This reset link can no longer be used."), field="token")
    user = db.session.get(User, row.user_id)
    if mfa.has_second_factor(user) and not mfa.verify_code(user, code or ""):
        row.attempts += 1
        if row.attempts >= current_app.config["MFA_MAX_CODE_ATTEMPTS"]:
            row.used_at = utcnow()
        audit.record(
            "auth.password_reset",
            practice_id=user.practice_id,
            object_type="user",
            object_id=user.id,
            outcome="failure",
            reason="second_factor",
        )
        raise ValidationFailed(
            gettext("That code is not right. Try the current one."), field="code"
        )
    problem = password_problem(
        new_password, person_context(user.name, user.email, user.practice.name)
    )
    if problem:
        raise ValidationFailed(problem, field="password")
    if not _spend(row):
        raise ValidationFailed(gettext("This reset link can no longer be used."), field="token")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    ended = revoke_user_sessions(user.id)
    audit.record(
        "auth.password_reset",
        practice_id=user.practice_id,
        object_type="user",
        object_id=user.id,
        count=ended,
    )
    notify_password_changed(user)
    return user


def notify_password_changed(user: User) -> None:
    queue_email_for(
        user,
        N_("Your Therapy Portal password was changed"),
        N_(
            "Hello,\n\nThe password of your Therapy Portal account was just changed, and every "
            "device that was signed in has been signed out.\n\nIf you did not do this, reset "
            "your password now and tell your practice:\n%(link)s"
        ),
        link=_link("/password/forgot"),
        kind="security",
        practice_id=user.practice_id,
    )


def send_sign_in_link(user: User) -> None:
    """After repeated failures, a partner without a second factor finishes signing in by email."""
    purpose = TokenPurpose.SIGN_IN_LINK
    queue_email_for(
        user,
        N_("Finish signing in to Therapy Portal"),
        N_(
            "Hello,\n\nThere were several failed attempts to sign in to your account.\n\n"
            "%(link)s\n\nIf you did not just sign in, change your password."
        ),
        link=LINK_PLACEHOLDER,
        kind=purpose.value,
        practice_id=user.practice_id,
        dedupe_key=token_links.reserve(user, purpose),
    )
    audit.record(
        "auth.sign_in_link_sent",
        practice_id=user.practice_id,
        object_type="user",
        object_id=user.id,
    )


def use_sign_in_link(token: str) -> User | None:
    row = open_token(token, TokenPurpose.SIGN_IN_LINK)
    if row is None or not _spend(row):
        return None
    return db.session.get(User, row.user_id)
