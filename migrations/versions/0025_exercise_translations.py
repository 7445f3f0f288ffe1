"""Translations of each exercise version's partner-facing text

Chained after 0026_clinical_gaps, which reached main first (both started from 0024_locale).

Revision ID: 0025_exercise_translations
Revises: 0026_clinical_gaps
Create Date: 2026-12-01 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_exercise_translations"
down_revision = "0026_clinical_gaps"  # main's 0026 landed first
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exercise_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("exercise_version", schema=None) as batch_op:
        batch_op.drop_column("translations")
