"""Append-only audit events and the transactional email outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from therapy_portal.models.base import Base, utcnow


class AuditEvent(Base):
    """Who did what to which object, when, from where, with what outcome. Never PHI.

    Events form one hash chain per practice (`chain_id`: the practice, 0 for events without
    one): `hash` covers the event's fields and `prev_hash`, the previous event's hash, and
    `chain_seq` numbers the chain without gaps. `therapy_portal.audit_chain` fills them in.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_practice_at", "practice_id", "at"),
        Index("ix_audit_event_chain", "chain_id", "chain_seq", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_role: Mapped[str] = mapped_column(String(16), default="anonymous")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    couple_id: Mapped[int | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    request_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    chain_id: Mapped[int] = mapped_column(default=0)
    chain_seq: Mapped[int | None]
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class AuditChainHead(Base):
    """The newest link of one practice's audit chain; writers lock this row to append in turn."""

    __tablename__ = "audit_chain_head"

    chain_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class BreakGlassGrant(Base):
    """An admin's time-limited emergency access to one couple's record, with the stated reason.

    The reason is the admin's own words and may be sensitive, so it lives here and never in
    the audit log; every read under the grant is an audit event naming the grant.
    """

    __tablename__ = "break_glass_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class OutboxEmail(Base):
    """An email written in the same transaction as the change that caused it. No PHI."""

    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="notice")
    # A unique key per intent (e.g. "reminder:due:occurrence:12") makes repeats a no-op. A reset or
    # sign-in email names its reserved token row here ("account_token:7"; see auth/token_links.py).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    # An invitation email gets its link when it is delivered; the link is never stored here.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    # Set when the email must no longer go out (its invitation was revoked or replaced).
    cancelled_at: Mapped[datetime | None]


# The database refuses to change or delete audit rows (TRUNCATE by an owner stays possible).
APPEND_ONLY_SQLITE = [
    DDL(
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    ),
    DDL(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    ),
]
APPEND_ONLY_POSTGRES = [
    DDL(
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql"
    ),
    DDL(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    ),
]
for _ddl in APPEND_ONLY_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in APPEND_ONLY_POSTGRES:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))
