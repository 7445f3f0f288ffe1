"""Each person's language (English or Spanish; empty follows the browser)

Revision ID: 0024_locale
Revises: 0023_scale_today
Create Date: 2026-12-01 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_locale"
down_revision = "0023_scale_today"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("locale")
