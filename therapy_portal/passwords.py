"""Argon2id password hashing, with a dummy verification for unknown accounts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from therapy_portal.i18n import current_language, gettext


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


def password_problem(password: str, context: Iterable[str] = ()) -> str | None:
    """A message for a password that does not meet the policy (ASVS 6.2), or None.

    No composition rules: length, the 10,000 most common passwords, the person's own name, email
    and practice name (`context`), and zxcvbn's estimate of how many guesses it would take.
    """
    cfg = current_app.config
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        return gettext("Use at least %(count)s characters.", count=cfg["PASSWORD_MIN_LENGTH"])
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        return gettext("Use at most %(count)s characters.", count=cfg["PASSWORD_MAX_LENGTH"])
    if password.lower() in common_passwords():
        return gettext(
            "That password is too common: it is one of the 10,000 passwords people use most. "
            "Try a short sentence only you would write."
        )
    words = [w for w in context if w]
    flat = _letters_and_digits(password)
    if any(len(_letters_and_digits(w)) >= 4 and _letters_and_digits(w) in flat for w in words):
        return gettext(
            "Don't use your name, your email address or your practice's name in your password."
        )
    estimate = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=_inputs(words))
    if estimate["score"] < cfg["PASSWORD_MIN_SCORE"]:
        # zxcvbn's own warning is English only.
        warning = estimate["feedback"].get("warning") if current_language() == "en" else None
        hint = warning or gettext("It follows a pattern that is quick to guess.")
        return gettext(
            "That password is too common or too easy to guess. %(hint)s "
            "Try a short sentence only you would write.",
            hint=hint,
        )
    return None


def password_strength(password: str, context: Iterable[str] = ()) -> int:
    """zxcvbn's 0-4 score, for the strength meter."""
    return int(zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=_inputs(context))["score"])


def person_context(name: str, email: str, practice_name: str) -> list[str]:
    """The words a person's password must not be built from (ASVS 6.1.2): their name and email,
    the practice's name, and the product's name."""
    local = email.split("@")[0]
    return [name, email, local, practice_name, current_app.config["APP_NAME"]]


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, from the ranked list zxcvbn ships (MIT licence)."""
    return frozenset(FREQUENCY_LISTS["passwords"][:10_000])


# zxcvbn refuses longer input (its matching grows with length); the first 72 characters decide.
_ESTIMATE_CHARS = 72


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _inputs(words: Iterable[str]) -> list[str]:
    parts: list[str] = []
    for word in words:
        parts.extend(p for p in re.split(r"[\s@._+-]+", word.lower()) if len(p) >= 3)
    return parts
