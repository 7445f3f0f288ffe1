"""audit hash chain, and encryption at rest for notes, risk screenings and answers

Revision ID: 0009_audit_chain_encryption
Revises: 0006_jobs_exports_queue
Create Date: 2026-11-30 16:42:27.072961

Existing audit events stay outside the chain (no sequence number); every new one joins it.
Existing answers stay readable as they are; run `flask keys rotate` after upgrading to encrypt
them (the command works in batches while the portal runs). A downgrade turns the columns back
into JSON, so it needs data written before the upgrade or decrypted first.
"""
from alembic import op
import sqlalchemy as sa

from therapy_portal.models.base import UTCDateTime
from therapy_portal.models.note_triggers import CONTENT_COLUMNS, TRIGGER_COLUMNS, signed_note_function

# revision identifiers, used by Alembic.
revision = '0009_audit_chain_encryption'
down_revision = '0006_jobs_exports_queue'
branch_labels = None
depends_on = None

# Columns whose JSON becomes one ciphertext string.
JSON_TO_TEXT = [
    ('draft_conflict', 'fields', False),
    ('response', 'draft', False),
    ('response', 'answers', True),
    ('submission', 'answers', False),
]


def _retype(type_, using: str) -> None:
    for table, column, nullable in JSON_TO_TEXT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                type_=type_,
                existing_nullable=nullable,
                postgresql_using=f'{column}::{using}',
            )


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('chain_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain_id', name=op.f('pk_audit_chain_head'))
    )
    # Plain ALTERs: rebuilding audit_event on SQLite would drop its append-only triggers.
    op.add_column('audit_event', sa.Column('chain_id', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('audit_event', sa.Column('chain_seq', sa.Integer(), nullable=True))
    op.add_column('audit_event', sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('audit_event', sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))
    op.create_index('ix_audit_event_chain', 'audit_event', ['chain_id', 'chain_seq'], unique=True)

    op.create_table('break_glass_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['admin_id'], ['user_account.id'], name=op.f('fk_break_glass_grant_admin_id_user_account')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_break_glass_grant_couple_id_couple')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_break_glass_grant_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_grant'))
    )
    for column in ('admin_id', 'couple_id', 'practice_id'):
        op.create_index(op.f(f'ix_break_glass_grant_{column}'), 'break_glass_grant', [column], unique=False)

    _retype(sa.Text(), 'text')
    # Cached PDFs are rebuilt on demand; drop them rather than keep plaintext copies.
    op.execute('DELETE FROM note_pdf_cache')
    with op.batch_alter_table('note_pdf_cache', schema=None) as batch_op:
        batch_op.alter_column(
            'pdf', type_=sa.Text(), existing_nullable=False, postgresql_using="encode(pdf, 'base64')"
        )
    if op.get_bind().dialect.name == 'postgresql':
        # `flask keys rotate` rewrites the risk screening's ciphertext of signed notes.
        op.execute(signed_note_function(TRIGGER_COLUMNS).statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(signed_note_function(CONTENT_COLUMNS).statement)
    _retype(sa.JSON(), 'json')
    op.execute('DELETE FROM note_pdf_cache')
    with op.batch_alter_table('note_pdf_cache', schema=None) as batch_op:
        batch_op.alter_column(
            'pdf', type_=sa.LargeBinary(), existing_nullable=False,
            postgresql_using="decode(pdf, 'base64')",
        )
    op.drop_table('break_glass_grant')
    op.drop_index('ix_audit_event_chain', table_name='audit_event')
    for column in ('hash', 'prev_hash', 'chain_seq', 'chain_id'):
        op.drop_column('audit_event', column)
    op.drop_table('audit_chain_head')
