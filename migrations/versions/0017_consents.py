"""Consents: the practice's documents, their immutable versions, and partners' signatures

Revision ID: 0017_consents
Revises: 0016_messages
Create Date: 2026-12-01 02:22:49.031435

Default texts are published by the app on first use (`consents.services.ensure_documents`),
not by this migration, so the schema change stays reversible and data-free.
"""

from alembic import op
import sqlalchemy as sa

from therapy_portal.models.base import UTCDateTime


revision = "0017_consents"
down_revision = "0016_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("current_number", sa.Integer(), nullable=False),
        sa.Column("required_number", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('couples_therapy', 'no_secrets', 'limited_secrets', 'telehealth', 'records_release')",
            name=op.f("ck_consent_document_kind"),
        ),
        sa.CheckConstraint(
            "required_number BETWEEN 1 AND current_number",
            name=op.f("ck_consent_document_required"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_consent_document_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_document")),
        sa.UniqueConstraint(
            "practice_id", "kind", name=op.f("uq_consent_document_practice_id_kind")
        ),
    )
    op.create_table(
        "consent_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["consent_document.id"],
            name=op.f("fk_consent_version_document_id_consent_document"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_consent_version_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_consent_version_published_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_version")),
        sa.UniqueConstraint(
            "document_id", "number", name=op.f("uq_consent_version_document_id_number")
        ),
    )
    with op.batch_alter_table("consent_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_version_practice_id"), ["practice_id"], unique=False
        )

    op.create_table(
        "consent_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("typed_name", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at >= signed_at",
            name=op.f("ck_consent_signature_withdrawn"),
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"], ["couple.id"], name=op.f("fk_consent_signature_couple_id_couple")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["consent_document.id"],
            name=op.f("fk_consent_signature_document_id_consent_document"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["user_account.id"],
            name=op.f("fk_consent_signature_partner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_consent_signature_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["consent_version.id"],
            name=op.f("fk_consent_signature_version_id_consent_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_signature")),
    )
    with op.batch_alter_table("consent_signature", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_signature_couple_partner",
            ["couple_id", "partner_id", "document_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_consent_signature_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_signature_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_signature_version_id"), ["version_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("consent_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_signature_version_id"))
        batch_op.drop_index(batch_op.f("ix_consent_signature_practice_id"))
        batch_op.drop_index(batch_op.f("ix_consent_signature_partner_id"))
        batch_op.drop_index("ix_consent_signature_couple_partner")

    op.drop_table("consent_signature")
    with op.batch_alter_table("consent_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_version_practice_id"))

    op.drop_table("consent_version")
    op.drop_table("consent_document")
