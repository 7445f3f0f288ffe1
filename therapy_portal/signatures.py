"""Signatures over clinical records: HMAC-SHA256 keyed from `NOTE_SIGNING_KEY`, over canonical JSON.

Session notes and addenda (`notes.signing`), treatment plan versions (`plans.signing`) and
supervisors' co-signatures (`supervision.services`) are all signed the same way: the payload is
serialised with sorted keys, no whitespace, UTF-8, and the MAC is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import current_app

ALGORITHM = "hmac-sha256-v1"


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def canonical(payload: dict) -> bytes:
    """The bytes a signature covers: sorted keys, no whitespace, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _key() -> bytes:
    key = current_app.config.get("NOTE_SIGNING_KEY")
    if not key:
        raise RuntimeError("NOTE_SIGNING_KEY is not configured; records cannot be signed.")
    return key.encode() if isinstance(key, str) else key


def mac(data: bytes) -> str:
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def matches(signature: str | None, data: bytes) -> bool:
    """Whether a stored signature is the MAC of `data` (constant time)."""
    return bool(signature) and hmac.compare_digest(signature or "", mac(data))
