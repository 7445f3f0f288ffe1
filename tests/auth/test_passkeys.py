"""Passkeys (WebAuthn) for staff, checked by py_webauthn against a software authenticator: an
EC P-256 key pair that answers the browser's part of the ceremonies."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from tests.factories import PASSWORD, login
from therapy_portal.extensions import db
from therapy_portal.models import AuditEvent, PasskeyCredential

ORIGIN, RP_ID = "http://localhost", "localhost"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.count = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": ORIGIN}).encode()

    def create(self, options: dict) -> dict:
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        auth_data = (
            hashlib.sha256(RP_ID.encode()).digest()
            + bytes([0x45])  # user present, user verified, attested credential data
            + (0).to_bytes(4, "big")
            + bytes(16)
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + cose
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
            },
        }

    def get(self, options: dict, *, tamper: bool = False) -> dict:
        self.count += 1
        auth_data = (
            hashlib.sha256(RP_ID.encode()).digest() + bytes([0x05]) + self.count.to_bytes(4, "big")
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed + (b"x" if tamper else b""), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
        }


def _register(client, authenticator: SoftAuthenticator):
    options = client.post("/account/security/passkeys/options").json
    assert options["rp"]["id"] == RP_ID
    return client.post(
        "/account/security/passkeys",
        json={"name": "Laptop", "credential": authenticator.create(options)},
    )


def test_staff_register_a_passkey_and_sign_in_with_it(app, client, world):
    email = world.emails["therapist"]
    login(client, email)
    authenticator = SoftAuthenticator()
    assert _register(client, authenticator).json == {"ok": True, "redirect": "/account/security"}
    assert b"Laptop" in client.get("/account/security").data
    client.post("/logout")

    fresh = app.test_client()
    assert fresh.post("/login", data={"email": email, "password": PASSWORD}).location.endswith(
        "/login/verify"
    )
    options = fresh.post("/login/passkey/options").json
    bad = fresh.post("/login/passkey", json={"credential": authenticator.get(options, tamper=True)})
    assert bad.status_code == 401 and fresh.get("/couples").status_code == 302
    options = fresh.post("/login/passkey/options").json
    assertion = authenticator.get(options)
    ok = fresh.post("/login/passkey", json={"credential": assertion})
    assert ok.status_code == 200 and ok.json["redirect"] == "/today"
    assert fresh.get("/couples").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(PasskeyCredential.sign_count)) == 2
        login_event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.login")
        ).all()[-1]
        assert login_event.detail == {"kind": "passkey"}

    # The same answer cannot be replayed: its challenge was used up.
    again = app.test_client()
    again.post("/login", data={"email": email, "password": PASSWORD})
    again.post("/login/passkey/options")
    assert again.post("/login/passkey", json={"credential": assertion}).status_code == 401


def test_a_registration_for_another_challenge_or_origin_is_refused(app, client, world):
    login(client, world.emails["therapist"])
    authenticator = SoftAuthenticator()
    client.post("/account/security/passkeys/options")
    forged = authenticator.create({"challenge": b64url(b"not the server's challenge")})
    response = client.post("/account/security/passkeys", json={"name": "X", "credential": forged})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(PasskeyCredential)) is None


def test_partners_cannot_register_passkeys(client, world):
    login(client, world.emails["partner_a"])
    assert client.post("/account/security/passkeys/options").status_code == 404
