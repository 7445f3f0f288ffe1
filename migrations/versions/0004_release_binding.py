"""a release covers the text it released: response.answers_version and released_version

Revision ID: 0004_release_binding
Revises: 0003_invitation_binding
Create Date: 2026-11-30 17:40:00

Existing rows: a response's answers are taken to be those of its current version. A release
still covers them only if no submission came after it (``submitted_at <= released_at``); a
response that was released, returned and submitted again was showing unreleased text to the
other partner, and goes back to hidden until the therapist releases it again.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_release_binding"
down_revision = "0003_invitation_binding"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("released_version", sa.Integer(), nullable=True))
    op.execute("UPDATE response SET answers_version = version WHERE answers IS NOT NULL")
    op.execute(
        "UPDATE response SET released_version = answers_version "
        "WHERE released_at IS NOT NULL AND answers_version IS NOT NULL "
        "AND (submitted_at IS NULL OR submitted_at <= released_at)"
    )


def downgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("released_version")
        batch_op.drop_column("answers_version")
