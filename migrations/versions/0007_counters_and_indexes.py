"""occurrence counters (submitted count, waiting since) and indexes chosen from EXPLAIN

Revision ID: 0007_counters_and_indexes
Revises: 0008_mfa_password_reset
Create Date: 2026-11-30 16:33:41.128796

"""
from alembic import op
import sqlalchemy as sa

from therapy_portal.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0007_counters_and_indexes'
down_revision = '0008_mfa_password_reset'
branch_labels = None
depends_on = None

WAITING = "reviewed_at IS NULL AND submitted_count > 0"
OPEN = "submitted_count < 2"

# Existing rows get their counters from their responses once; from now on the homework
# services keep them in the transaction that changes a response.
BACKFILL = """
UPDATE occurrence SET
    submitted_count = (
        SELECT count(*) FROM response
        WHERE response.occurrence_id = occurrence.id AND response.status = 'submitted'
    ),
    waiting_since = (
        SELECT min(response.submitted_at) FROM response
        WHERE response.occurrence_id = occurrence.id AND response.status = 'submitted'
    )
"""


def upgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('waiting_since', UTCDateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_waiting', ['couple_id', 'waiting_since'], unique=False, postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))
        batch_op.create_index('ix_occurrence_open', ['couple_id', 'due_on'], unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrence_open', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_occurrence_waiting', postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('submitted_count')
