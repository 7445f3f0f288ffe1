"""Outcome alerts, homework quality ratings, maintenance check-in schedules

Revision ID: 0019_outcomes_quality
Revises: 0018_plans_supervision
Create Date: 2026-12-01 02:19:32.945647

`outcome_alert.dismiss_reason` is AES-GCM ciphertext (`EncryptedText`), rotated by `flask keys
rotate` like every encrypted column. `measure_schedule` gains an end date, a maintenance flag and
who stopped it.
"""

from alembic import op
import sqlalchemy as sa

from therapy_portal.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0019_outcomes_quality"
down_revision = "0018_plans_supervision"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outcome_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("dismissed_at", UTCDateTime(), nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('worsening', 'no_improvement', 'widening_gap')",
            name=op.f("ck_outcome_alert_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"], ["couple.id"], name=op.f("fk_outcome_alert_couple_id_couple")
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["user_account.id"],
            name=op.f("fk_outcome_alert_dismissed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["user_account.id"],
            name=op.f("fk_outcome_alert_partner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_outcome_alert_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["measure_response.id"],
            name=op.f("fk_outcome_alert_response_id_measure_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_alert")),
    )
    with op.batch_alter_table("outcome_alert", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outcome_alert_couple_open",
            ["couple_id", "resolved_at", "dismissed_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_outcome_alert_practice_id"), ["practice_id"], unique=False
        )

    op.create_table(
        "homework_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("partner_label", sa.String(length=1), nullable=False),
        sa.Column("quality", sa.String(length=16), nullable=False),
        sa.Column("rated_by_id", sa.Integer(), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "partner_label IN ('A', 'B', 'J')", name=op.f("ck_homework_rating_label")
        ),
        sa.CheckConstraint(
            "quality IN ('not_done', 'partly', 'fully', 'beyond')",
            name=op.f("ck_homework_rating_quality"),
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"], ["couple.id"], name=op.f("fk_homework_rating_couple_id_couple")
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["occurrence.id"],
            name=op.f("fk_homework_rating_occurrence_id_occurrence"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_homework_rating_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["rated_by_id"],
            ["user_account.id"],
            name=op.f("fk_homework_rating_rated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_rating")),
        sa.UniqueConstraint(
            "occurrence_id",
            "partner_label",
            name=op.f("uq_homework_rating_occurrence_id_partner_label"),
        ),
    )
    with op.batch_alter_table("homework_rating", schema=None) as batch_op:
        batch_op.create_index(
            "ix_homework_rating_couple_rated", ["couple_id", "rated_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_homework_rating_practice_id"), ["practice_id"], unique=False
        )

    with op.batch_alter_table("measure_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("maintenance", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_measure_schedule_stopped_by_id_user_account"),
            "user_account",
            ["stopped_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("measure_schedule", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_measure_schedule_stopped_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("maintenance")
        batch_op.drop_column("ends_on")
        batch_op.drop_column("stopped_by_id")

    with op.batch_alter_table("homework_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homework_rating_practice_id"))
        batch_op.drop_index("ix_homework_rating_couple_rated")

    op.drop_table("homework_rating")
    with op.batch_alter_table("outcome_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_alert_practice_id"))
        batch_op.drop_index("ix_outcome_alert_couple_open")

    op.drop_table("outcome_alert")
