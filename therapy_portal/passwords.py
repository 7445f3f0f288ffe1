"""Argon2id password hashing, with a dummy verification for unknown accounts."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password. Unknown accounts verify against a dummy hash so timing stays alike."""
    target = password_hash or _dummy_hash()
    try:
        ok = hasher().verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def _dummy_hash() -> str:
    cfg = current_app.config
    key = "_DUMMY_PASSWORD_HASH"
    if key not in cfg:
        cfg[key] = hash_password("not-a-real-password-" + cfg["SECRET_KEY"][:4])
    return cfg[key]


def password_problem(password: str) -> str | None:
    """A message for a password that does not meet the policy, or None."""
    cfg = current_app.config
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        return f"Use at least {cfg['PASSWORD_MIN_LENGTH']} characters."
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        return f"Use at most {cfg['PASSWORD_MAX_LENGTH']} characters."
    if password.lower() in _COMMON:
        return "That password is too common. Try a short sentence only you would write."
    return None


# A small offline list of the most common long passwords; no network lookup.
_COMMON = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiop12",
        "passwordpassword",
        "iloveyou1234",
        "111111111111",
        "abc123456789",
        "letmein12345",
        "welcome12345",
        "password123!",
        "qwerty123456",
        "123456789abc",
        "trustno11234",
        "administrator",
        "changeme1234",
    }
)
