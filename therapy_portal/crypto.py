"""Encryption at rest for the most sensitive text: AES-256-GCM under keys from the environment.

`ENCRYPTION_KEYS` lists `id:key` pairs separated by commas, each key 32 random bytes in
URL-safe base64 (`flask keys generate` prints one). The first pair is the current key: every
write uses it. The others only decrypt, so `flask keys rotate` can re-encrypt old rows in
batches while the portal keeps running; drop an old key once the command reports nothing left.

A stored value reads `enc1:<key id>:<base64(nonce || ciphertext || tag)>`. The associated data
is the column's purpose (e.g. `psychotherapy_note.body`), so a ciphertext copied into another
column does not decrypt. Values without the prefix are rows written before encryption existed;
they are read as they are, and `flask keys rotate` encrypts them.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app

PREFIX = "enc1:"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_EXTENSION = "therapy_portal.keyring"


class EncryptionKeyError(RuntimeError):
    """The configured keys cannot encrypt or decrypt a value."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def is_encrypted(stored: str | None) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def key_id_of(stored: str) -> str | None:
    """The id of the key a stored value was encrypted under, or None for plaintext."""
    if not is_encrypted(stored):
        return None
    return stored[len(PREFIX) :].split(":", 1)[0]


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, AESGCM]
    current: str

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """Read `id:key,id:key`; the first key is the current one."""
        keys: dict[str, AESGCM] = {}
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            key_id, _, encoded = part.partition(":")
            if not _KEY_ID.match(key_id):
                raise EncryptionKeyError(
                    f"Encryption key id {key_id!r} must be 1-32 letters, digits, - or _."
                )
            try:
                raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raw = b""
            if len(raw) != 32:
                raise EncryptionKeyError(
                    f"Encryption key {key_id!r} is not 32 bytes of URL-safe base64."
                )
            if key_id in keys:
                raise EncryptionKeyError(f"Encryption key id {key_id!r} is listed twice.")
            keys[key_id] = AESGCM(raw)
        if not keys:
            raise EncryptionKeyError("ENCRYPTION_KEYS holds no key.")
        return cls(keys=keys, current=next(iter(keys)))

    def encrypt(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(12)
        sealed = self.keys[self.current].encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str, purpose: str) -> str:
        key_id, _, payload = stored[len(PREFIX) :].partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise EncryptionKeyError(
                f"No key with id {key_id!r} is configured; it is needed to decrypt."
            )
        blob = base64.b64decode(payload)
        try:
            return key.decrypt(blob[:12], blob[12:], purpose.encode()).decode()
        except InvalidTag as exc:
            raise EncryptionKeyError(
                f"A {purpose} value does not decrypt under key {key_id!r}."
            ) from exc


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = Keyring.parse(app.config.get("ENCRYPTION_KEYS") or "")


def keyring() -> Keyring:
    return current_app.extensions[_EXTENSION]
