"""Secure messages: threads (a couple's, each partner's private one), messages, read places

Revision ID: 0016_messages
Revises: 0015_appointments
Create Date: 2026-11-30 21:45:00.000000

Message bodies are AES-GCM ciphertext (`EncryptedText("message.body")`), rotated by
`flask keys rotate` like every encrypted column.
"""

from alembic import op
import sqlalchemy as sa

from therapy_portal.models.base import UTCDateTime


revision = "0016_messages"
down_revision = "0015_appointments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_message_at", UTCDateTime(), nullable=True),
        sa.Column("handled_at", UTCDateTime(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(scope = 'couple' AND partner_id IS NULL) "
            "OR (scope <> 'couple' AND partner_id IS NOT NULL)",
            name=op.f("ck_message_thread_private_has_partner"),
        ),
        sa.CheckConstraint("scope IN ('couple', 'A', 'B')", name=op.f("ck_message_thread_scope")),
        sa.ForeignKeyConstraint(
            ["couple_id"], ["couple.id"], name=op.f("fk_message_thread_couple_id_couple")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["user_account.id"],
            name=op.f("fk_message_thread_handled_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["user_account.id"],
            name=op.f("fk_message_thread_partner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_message_thread_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_thread")),
        sa.UniqueConstraint("couple_id", "scope", name=op.f("uq_message_thread_couple_id_scope")),
    )
    with op.batch_alter_table("message_thread", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_thread_couple_id"), ["couple_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_thread_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            "ix_message_thread_practice_last",
            ["practice_id", "last_message_at", "id"],
            unique=False,
        )

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_message_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_message_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["message_thread.id"], name=op.f("fk_message_thread_id_message_thread")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index("ix_message_thread_id_id", ["thread_id", "id"], unique=False)

    op.create_table(
        "message_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_message_read_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_thread.id"],
            name=op.f("fk_message_read_thread_id_message_thread"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_message_read_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_read")),
        sa.UniqueConstraint("thread_id", "user_id", name=op.f("uq_message_read_thread_id_user_id")),
    )
    with op.batch_alter_table("message_read", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_read_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_message_read_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("message_read")
    op.drop_table("message")
    op.drop_table("message_thread")
