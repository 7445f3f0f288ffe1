"""Note addenda encrypted at rest (AES-GCM, like the risk screening)

Revision ID: 0014_addenda_encrypted
Revises: 0011_practice_settings
Create Date: 2026-11-30 22:00:00.000000

The body column stays text. Addenda are append-only, so the triggers are replaced by ones that let
exactly one kind of change through: the body rewritten as a ciphertext with every other column
unchanged (what `flask keys rotate` does). Addenda written before the upgrade stay readable as they
are; run `flask keys rotate` after upgrading to encrypt them. A downgrade restores the strict
triggers; encrypted bodies must be decrypted first for the older code to read them.
"""

from alembic import op

from therapy_portal.models.note_triggers import addendum_guards

revision = "0014_addenda_encrypted"
down_revision = "0011_practice_settings"
branch_labels = None
depends_on = None


def _replace_guards(reencrypt: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS note_addendum_no_update")
        op.execute("DROP TRIGGER IF EXISTS note_addendum_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS note_addendum_append_only ON note_addendum")
    for ddl in addendum_guards(reencrypt=reencrypt).get(dialect, []):
        op.execute(ddl)


def upgrade():
    _replace_guards(reencrypt=True)


def downgrade():
    _replace_guards(reencrypt=False)
