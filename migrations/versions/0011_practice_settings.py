"""Practice settings: paper size, crisis text, default session reminders, logo

Revision ID: 0011_practice_settings
Revises: 0010_encrypt_totp_secret
Create Date: 2026-11-30 21:40:00.000000

Name, address, phone and time zone were already on the practice. Pages, emails and PDFs read
these through the practice; the admin edits them on the practice settings page.
"""

from alembic import op
import sqlalchemy as sa


revision = "0011_practice_settings"
down_revision = "0010_encrypt_totp_secret"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paper_size", sa.String(length=10), nullable=False, server_default="letter")
        )
        batch_op.add_column(sa.Column("crisis_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("remind_24h", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("remind_2h", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("logo_type", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.create_check_constraint("paper_size", "paper_size IN ('letter', 'a4')")


def downgrade():
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_constraint("paper_size", type_="check")
        for column in ("logo_type", "logo", "remind_2h", "remind_24h", "crisis_text", "paper_size"):
            batch_op.drop_column(column)
