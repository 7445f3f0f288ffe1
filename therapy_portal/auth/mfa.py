"""Second factors: TOTP (a code works once), one-time recovery codes, remembered devices.

Passkeys (WebAuthn) are in `auth/passkeys.py`. Every function flushes; the view commits.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from therapy_portal import audit
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import PasskeyCredential, RecoveryCode, RememberedDevice, User, utcnow
from therapy_portal.passwords import hash_password, verify_password
from therapy_portal.sessions import hash_token

_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


# Who needs what ------------------------------------------------------------------------------


def has_passkeys(user: User) -> bool:
    count = db.session.scalar(select(func.count()).where(PasskeyCredential.user_id == user.id))
    return bool(count)


def has_second_factor(user: User) -> bool:
    return user.has_totp or has_passkeys(user)


def enrolment_required(user: User) -> bool:
    """Staff must have a second factor when the install requires it (MFA_REQUIRED_FOR_STAFF)."""
    required = current_app.config["MFA_REQUIRED_FOR_STAFF"] and user.is_staff
    return required and not has_second_factor(user)


def may_remove_totp(user: User) -> bool:
    return not (current_app.config["MFA_REQUIRED_FOR_STAFF"] and user.is_staff) or has_passkeys(
        user
    )


# TOTP ------------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    uri: str
    qr_svg: Markup

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, for typing into an authenticator by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def totp_setup(user: User, secret: str) -> TotpSetup:
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["MFA_ISSUER"]
    )
    qr = segno.make(uri, error="m")
    # segno writes the SVG from the URI alone (no user text), so it is safe to inline.
    svg = qr.svg_inline(
        scale=4, dark="#111", light="#fff", title=gettext("QR code for your authenticator")
    )
    return TotpSetup(secret, uri, Markup(svg))  # noqa: S704 - generated SVG, no user input


def _normalise_code(code: str) -> str:
    return "".join((code or "").split())


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The 30-second step whose code this is, allowing one step of clock drift either way."""
    code = _normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now or utcnow())
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def verify_totp(user: User, code: str) -> bool:
    """Accept a code once: its step must be later than the last step this user spent.

    The guarded UPDATE makes two requests racing with the same code spend it only once.
    """
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    if step is None:
        return False
    spent = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent:
        user.totp_last_step = step
    return bool(spent)


def enrol_totp(user: User, secret: str, code: str) -> list[str] | None:
    """Turn on TOTP if `code` matches `secret`; returns fresh recovery codes, or None."""
    step = matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    user.mfa_enrolled_at = utcnow()
    audit.record(
        "auth.mfa_enrolled", actor=user, object_type="user", object_id=user.id, kind="totp"
    )
    return new_recovery_codes(user)


def remove_totp(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("auth.mfa_removed", actor=user, object_type="user", object_id=user.id, kind="totp")


# Recovery codes ----------------------------------------------------------------------------------


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; only hashes are stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(current_app.config["MFA_RECOVERY_CODES"]):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(
            RecoveryCode(
                practice_id=user.practice_id, user_id=user.id, code_hash=hash_password(raw)
            )
        )
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def use_recovery_code(user: User, code: str) -> bool:
    raw = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    if len(raw) != 10:
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        if verify_password(row.code_hash, raw):
            spent = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            return bool(spent)
    return False


def verify_code(user: User, code: str) -> str | None:
    """Check a TOTP or recovery code; returns which kind worked, or None."""
    if verify_totp(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery_code"
    return None


# Remembered devices -----------------------------------------------------------------------------


def remember_device(user: User) -> tuple[str, int]:
    """Trust this browser for REMEMBER_DEVICE_DAYS; returns (cookie value, max age in seconds)."""
    days = current_app.config["REMEMBER_DEVICE_DAYS"]
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        RememberedDevice(
            practice_id=user.practice_id,
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token, days * 86400


def device_is_remembered(user: User, token: str | None) -> bool:
    if not token or len(token) > 128 or not user.practice.remember_device_allowed:
        return False
    row = db.session.scalar(
        select(RememberedDevice).where(RememberedDevice.token_hash == hash_token(token))
    )
    return (
        row is not None
        and row.user_id == user.id
        and row.revoked_at is None
        and row.expires_at > utcnow()
    )


def forget_devices(user_id: int) -> int:
    return (
        db.session.execute(
            update(RememberedDevice)
            .where(RememberedDevice.user_id == user_id, RememberedDevice.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        or 0
    )


def forget_practice_devices(practice_id: int) -> int:
    return (
        db.session.execute(
            update(RememberedDevice)
            .where(
                RememberedDevice.practice_id == practice_id, RememberedDevice.revoked_at.is_(None)
            )
            .values(revoked_at=utcnow())
        ).rowcount
        or 0
    )


def clear_second_factor(user: User) -> None:
    """Remove every second factor of a user (admin reset)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.mfa_enrolled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(PasskeyCredential).where(PasskeyCredential.user_id == user.id))
    forget_devices(user.id)
