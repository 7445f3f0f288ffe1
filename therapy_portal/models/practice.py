"""The practice (tenant), its users and their server-side sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.encrypted import EncryptedText


class Role(enum.StrEnum):
    ADMIN = "admin"
    THERAPIST = "therapist"
    CLIENT = "client"


class PaperSize(enum.StrEnum):
    LETTER = "letter"
    A4 = "a4"


class Practice(Base):
    __tablename__ = "practice"
    __table_args__ = (CheckConstraint("paper_size IN ('letter', 'a4')", name="paper_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # "Remember this device for 30 days" after the second factor; the practice can turn it off.
    remember_device_allowed: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Practice settings (the admin's settings page): PDFs' paper, the crisis text shown wherever
    # people write to the practice, the default session reminders, the logo on pages and PDFs.
    paper_size: Mapped[str] = mapped_column(
        String(10), default=PaperSize.LETTER, server_default=PaperSize.LETTER.value
    )
    crisis_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    remind_24h: Mapped[bool] = mapped_column(default=True, server_default=true())
    remind_2h: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Deferred: the practice is joined to every signed-in user; only the logo route reads it.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'therapist', 'client')", name="role"),
        # One account per address in a practice. Across practices an address may be invited
        # again (so an invitation never reveals that it is known elsewhere), but only one account
        # per address can have a password, so the email stays an unambiguous login.
        UniqueConstraint("practice_id", "email"),
        Index(
            "uq_user_account_login_email",
            "email",
            unique=True,
            sqlite_where=text("password_hash IS NOT NULL"),
            postgresql_where=text("password_hash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # The login is the normalised email (see the table's constraints).
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Second factor: a TOTP secret (base32, AES-GCM at rest; never compared in SQL) and the last
    # 30-second step accepted, so a code works once. Recovery codes and passkeys live in their
    # own tables (models/security.py). Deferred: the user is loaded on every request (with the
    # session), and only the second step and its settings read the secret; loading it would
    # decrypt it each time.
    totp_secret: Mapped[str | None] = mapped_column(
        EncryptedText("user_account.totp_secret"), deferred=True
    )
    totp_last_step: Mapped[int | None]
    mfa_enrolled_at: Mapped[datetime | None]
    # The person's language for pages, emails and PDF copies (therapy_portal/i18n.py); None
    # follows the browser's Accept-Language (and emails go in English).
    locale: Mapped[str | None] = mapped_column(String(8))

    practice: Mapped[Practice] = relationship(lazy="joined")

    # Flask-Login protocol, kept to what the login manager needs.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.THERAPIST)

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def display_with_credentials(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class UserSession(Base):
    """A server-side session: the cookie holds a random token, the row holds the data."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
