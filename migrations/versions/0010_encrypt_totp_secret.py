"""TOTP secrets encrypted at rest (AES-GCM, like the clinical text)

Revision ID: 0010_encrypt_totp_secret
Revises: 0007_counters_and_indexes
Create Date: 2026-11-30 18:30:00.000000

The column becomes text wide enough for a ciphertext. Secrets saved before the upgrade stay
readable as they are; run `flask keys rotate` after upgrading to encrypt them (it works in batches
while the portal runs, and `flask keys status` counts what is left). A downgrade needs the secrets
decrypted first: a ciphertext does not fit the old 64 characters.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_encrypt_totp_secret"
down_revision = "0007_counters_and_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.Text(),
            existing_nullable=True,
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.Text(),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
