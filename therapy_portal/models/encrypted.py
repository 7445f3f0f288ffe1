"""Column types that encrypt on the way into the database and decrypt on the way out.

A later feature (message bodies, say) only declares `mapped_column(EncryptedText("message.body"))`;
`flask keys rotate` finds every column of these types by itself. Nothing may search or sort on
them: the database holds only ciphertext (see `therapy_portal/crypto.py`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from therapy_portal import crypto


class EncryptedText(TypeDecorator[str]):
    """A text column stored as AES-GCM ciphertext; `purpose` is bound into every ciphertext."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def encode(self, value: Any) -> str:
        return value

    def decode(self, plaintext: str) -> Any:
        return plaintext

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        return crypto.keyring().encrypt(self.encode(value), self.purpose)

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if crypto.is_encrypted(value):
            return self.decode(crypto.keyring().decrypt(value, self.purpose))
        return self.decode(value) if isinstance(value, str) else value


class EncryptedJSON(EncryptedText):
    """A JSON document (dicts of answers) stored as one ciphertext."""

    cache_ok = True

    def encode(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def decode(self, plaintext: str) -> Any:
        return json.loads(plaintext)


class EncryptedBytes(EncryptedText):
    """Binary content (a cached PDF of a signed note) stored as one ciphertext."""

    cache_ok = True

    def encode(self, value: Any) -> str:
        return base64.b64encode(value).decode("ascii")

    def decode(self, plaintext: str) -> Any:
        return base64.b64decode(plaintext)


def encrypted_columns(metadata) -> list[tuple[Any, Any]]:
    """Every (table, column) whose type encrypts, in a stable order."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]
