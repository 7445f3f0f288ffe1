"""WebAuthn passkeys for staff, through the `webauthn` package (py_webauthn).

The challenge of a ceremony lives in the server-side session between the options and the answer;
the origin and relying-party id come from PUBLIC_BASE_URL (WEBAUTHN_RP_ID overrides the id).
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from therapy_portal import audit
from therapy_portal.errors import InvalidState, NotAllowed, ValidationFailed
from therapy_portal.extensions import db
from therapy_portal.i18n import gettext
from therapy_portal.models import PasskeyCredential, User, utcnow


def origin() -> str:
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def rp_id() -> str:
    return current_app.config["WEBAUTHN_RP_ID"] or (urlsplit(origin()).hostname or "localhost")


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id))
        for row in user_passkeys(user)
    ]


def user_passkeys(user: User) -> list[PasskeyCredential]:
    return list(
        db.session.scalars(
            select(PasskeyCredential)
            .where(PasskeyCredential.user_id == user.id)
            .order_by(PasskeyCredential.created_at)
        )
    )


def registration_options(user: User) -> tuple[str, str]:
    """(options JSON for the browser, challenge to keep in the session)."""
    if not user.is_staff:
        raise NotAllowed("not found")
    challenge = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=current_app.config["MFA_ISSUER"],
        user_name=user.email,
        user_id=f"tp-user-{user.id}".encode(),
        user_display_name=user.name,
        challenge=challenge,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options), bytes_to_base64url(challenge)


def register(user: User, credential: dict, challenge: str, name: str) -> PasskeyCredential:
    if not user.is_staff:
        raise NotAllowed("not found")
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise ValidationFailed(gettext("The passkey could not be added. Try again.")) from error
    row = PasskeyCredential(
        practice_id=user.practice_id,
        user_id=user.id,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name or "Passkey").strip()[:80] or "Passkey",
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "auth.mfa_enrolled", actor=user, object_type="user", object_id=user.id, kind="passkey"
    )
    return row


def authentication_options(user: User) -> tuple[str, str]:
    challenge = secrets.token_bytes(32)
    options = generate_authentication_options(
        rp_id=rp_id(),
        challenge=challenge,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), bytes_to_base64url(challenge)


def authenticate(user: User, credential: dict, challenge: str) -> bool:
    """Check a passkey assertion for this user; updates the signature counter."""
    row = db.session.scalar(
        select(PasskeyCredential).where(
            PasskeyCredential.user_id == user.id,
            PasskeyCredential.credential_id == str(credential.get("id", ""))[:1400],
        )
    )
    if row is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return False
    row.sign_count = verified.new_sign_count
    row.last_used_at = utcnow()
    return True


def remove(user: User, passkey_id: int) -> None:
    row = db.session.get(PasskeyCredential, passkey_id)
    if row is None or row.user_id != user.id:
        raise NotAllowed("not found")
    required = current_app.config["MFA_REQUIRED_FOR_STAFF"] and user.is_staff
    if required and not user.has_totp and len(user_passkeys(user)) <= 1:
        raise InvalidState(
            gettext("Set up an authenticator app before removing your only passkey.")
        )
    db.session.delete(row)
    audit.record(
        "auth.mfa_removed", actor=user, object_type="user", object_id=user.id, kind="passkey"
    )
