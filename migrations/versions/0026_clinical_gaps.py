"""Clinical gaps: booster homework of the maintenance plan

Revision ID: 0026_clinical_gaps
Revises: 0024_locale
Create Date: 2026-12-01 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_clinical_gaps"
down_revision = "0024_locale"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("booster", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("booster")
