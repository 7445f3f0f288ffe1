"""Check-in progress: the two latest periods each partner answered on each schedule

Revision ID: 0027_checkin_progress
Revises: 0025_exercise_translations
Create Date: 2026-12-01 20:30:00.000000

See `CheckinProgress` for why. The rows of existing responses are counted once here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_checkin_progress"
down_revision = "0025_exercise_translations"
branch_labels = None
depends_on = None

RECOUNT = """
INSERT INTO checkin_progress (schedule_id, partner_id, last_period, previous_period)
SELECT latest.schedule_id, latest.partner_id, latest.last_period,
       (SELECT max(r.period_index) FROM measure_response r
        WHERE r.schedule_id = latest.schedule_id AND r.partner_id = latest.partner_id
          AND r.period_index < latest.last_period) AS previous_period
FROM (SELECT schedule_id, partner_id, max(period_index) AS last_period
      FROM measure_response GROUP BY schedule_id, partner_id) AS latest
"""


def upgrade():
    op.create_table(
        "checkin_progress",
        sa.Column("schedule_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("partner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_period", sa.Integer(), nullable=False),
        sa.Column("previous_period", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["user_account.id"],
            name=op.f("fk_checkin_progress_partner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["measure_schedule.id"],
            name=op.f("fk_checkin_progress_schedule_id_measure_schedule"),
        ),
        sa.PrimaryKeyConstraint("schedule_id", "partner_id", name=op.f("pk_checkin_progress")),
    )
    op.execute(RECOUNT)


def downgrade():
    op.drop_table("checkin_progress")
