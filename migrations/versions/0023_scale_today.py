"""Today's unsigned drafts: a partial index of draft notes by author

Revision ID: 0023_scale_today
Revises: 0021_photos
Create Date: 2026-12-01 02:50:00.000000

See `SessionNote.__table_args__` for why.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_scale_today"
down_revision = "0021_photos"
branch_labels = None
depends_on = None

DRAFT = "status = 'draft'"


def upgrade():
    with op.batch_alter_table("session_note", schema=None) as batch_op:
        batch_op.create_index(
            "ix_session_note_drafts",
            ["therapist_id", "session_date"],
            unique=False,
            postgresql_where=sa.text(DRAFT),
            sqlite_where=sa.text(DRAFT),
        )


def downgrade():
    with op.batch_alter_table("session_note", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_session_note_drafts",
            postgresql_where=sa.text(DRAFT),
            sqlite_where=sa.text(DRAFT),
        )
