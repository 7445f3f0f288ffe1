"""Photos attached to homework answers (the photos prompt type)

Revision ID: 0021_photos
Revises: 0019_outcomes_quality
Create Date: 2026-12-01 02:40:00.000000

The image and thumbnail are AES-GCM ciphertext (`EncryptedBytes`), rotated by `flask keys rotate`
like every encrypted column.
"""

from alembic import op
import sqlalchemy as sa

from therapy_portal.models.base import UTCDateTime


revision = "0021_photos"
down_revision = "0019_outcomes_quality"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("prompt_key", sa.String(length=40), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("image", sa.Text(), nullable=False),
        sa.Column("thumbnail", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["couple_id"], ["couple.id"], name=op.f("fk_answer_photo_couple_id_couple")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_answer_photo_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_answer_photo_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_answer_photo_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_photo")),
        sa.UniqueConstraint("public_id", name=op.f("uq_answer_photo_public_id")),
    )
    with op.batch_alter_table("answer_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_photo_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(
            "ix_answer_photo_response_prompt", ["response_id", "prompt_key"], unique=False
        )


def downgrade():
    with op.batch_alter_table("answer_photo", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_photo_response_prompt")
        batch_op.drop_index(batch_op.f("ix_answer_photo_practice_id"))
    op.drop_table("answer_photo")
