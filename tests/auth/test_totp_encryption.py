"""The TOTP secret is AES-GCM ciphertext at rest, and `flask keys rotate` keeps it working
(issue 12: nothing that opens an account is stored in clear)."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from tests.factories import make_practice, make_user
from therapy_portal import crypto
from therapy_portal.auth import mfa
from therapy_portal.extensions import db
from therapy_portal.models import Role, User, utcnow


def _stored_secret(user_id: int) -> str:
    """The value in the database, read around the column type (which would decrypt it)."""
    t = sa.table("user_account", sa.column("id"), sa.column("totp_secret"))
    return db.session.scalar(sa.select(t.c.totp_secret).where(t.c.id == user_id))


def _code(secret: str, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + offset_steps)


def _enrolled(secret: str) -> User:
    user = make_user(make_practice(), Role.THERAPIST, mfa=False)
    assert mfa.enrol_totp(user, secret, _code(secret)) is not None
    db.session.commit()
    return user


def test_the_stored_totp_secret_is_ciphertext(ctx):
    secret = mfa.new_totp_secret()
    user = _enrolled(secret)
    stored = _stored_secret(user.id)
    assert secret not in stored and secret.lower() not in stored.lower()
    assert stored.startswith(f"{crypto.PREFIX}test1:")
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.totp_secret == secret and user.has_totp
    assert mfa.verify_totp(user, _code(secret, 1)) is True  # the guarded step update still works
    assert mfa.verify_totp(user, _code(secret, 1)) is False


def test_after_rotate_the_code_still_works_under_the_new_key_only(app, ctx, runner):
    secret = mfa.new_totp_secret()
    user_id = _enrolled(secret).id
    new_key, old = crypto.generate_key(), app.config["ENCRYPTION_KEYS"]
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key},{old}"
    crypto.init_app(app)
    result = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    app.config["ENCRYPTION_KEYS"] = f"k2:{new_key}"
    crypto.init_app(app)
    db.session.expire_all()
    assert _stored_secret(user_id).startswith(f"{crypto.PREFIX}k2:")
    user = db.session.get(User, user_id)
    assert user.totp_secret == secret
    assert mfa.verify_totp(user, _code(secret, 1)) is True


def test_a_secret_stored_before_encryption_is_read_then_encrypted_by_rotate(ctx, runner):
    secret = mfa.new_totp_secret()
    user_id = _enrolled(secret).id
    db.session.execute(
        sa.text("UPDATE user_account SET totp_secret = :s WHERE id = :id"),
        {"s": secret, "id": user_id},
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user_id).totp_secret == secret
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert secret not in _stored_secret(user_id)


def test_a_signed_in_page_does_not_decrypt_the_secret(app, world, client, monkeypatch):
    """The session's user is loaded on every request; the secret is left out of that load
    (deferred) and decrypted only where the second factor is the subject (the sign-in step,
    the security settings)."""
    from tests.factories import login

    login(client, world.emails["therapist"])
    purposes: list[str] = []
    decrypt = crypto.Keyring.decrypt

    def counted(self, stored, purpose):
        purposes.append(purpose)
        return decrypt(self, stored, purpose)

    monkeypatch.setattr(crypto.Keyring, "decrypt", counted)
    assert client.get("/today").status_code == 200
    assert client.get("/couples").status_code == 200
    assert "user_account.totp_secret" not in purposes
    page = client.get("/account/security").get_data(as_text=True)
    assert purposes == ["user_account.totp_secret"]  # read where it is the subject
    assert "On. Signing in asks for a 6-digit code from your app." in page
