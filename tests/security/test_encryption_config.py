"""Encryption keys: a malformed list or a production start without keys is refused."""

from __future__ import annotations

import pytest

from therapy_portal import create_app, crypto
from therapy_portal.settings import ConfigurationError


@pytest.mark.parametrize("spec", ["", "k1:short", "bad id!:" + "A" * 44, "k1:%s,k1:%s"])
def test_a_bad_key_list_refuses_to_start(spec):
    key = crypto.generate_key()
    with pytest.raises(crypto.EncryptionKeyError):
        create_app(
            "testing",
            {"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENCRYPTION_KEYS": spec.replace("%s", key)},
        )


def test_production_refuses_to_start_without_encryption_keys(monkeypatch):
    for name, value in {
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": "sqlite://",
        "NOTE_SIGNING_KEY": "n" * 40,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ENCRYPTION_KEYS", raising=False)
    with pytest.raises(ConfigurationError, match="ENCRYPTION_KEYS"):
        create_app("production")
