"""Each record's Bayzat push state in bayzat_record_pushes, owned by the Bayzat code

attendance_import_records kept the push's status, retry count, next retry, error, sync time and batch beside
the file's rows. They move to bayzat_record_pushes, one row per record the push has taken up: every record
whose state is not the one it had on import (pending when valid, skipped when not) is copied, so every status
stays as it was; a record without a row reads as that import state. The downgrade writes them all back.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_UNTOUCHED = (
    "bayzat_batch_id IS NULL AND bayzat_retry_count = 0 AND bayzat_sync_at IS NULL AND bayzat_next_retry_at IS NULL "
    "AND bayzat_sync_status = CASE WHEN is_valid THEN 'pending' ELSE 'skipped' END"
)
_COLUMNS = {  # bayzat_record_pushes column: attendance_import_records column
    'status': 'bayzat_sync_status',
    'retry_count': 'bayzat_retry_count',
    'next_retry_at': 'bayzat_next_retry_at',
    'error': 'bayzat_sync_error',
    'synced_at': 'bayzat_sync_at',
    'batch_id': 'bayzat_batch_id',
    'updated_at': 'updated_at',
}


def upgrade() -> None:
    op.create_table('bayzat_record_pushes',
    sa.Column('record_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('retry_count', sa.Integer(), nullable=False),
    sa.Column('next_retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['bayzat_sync_batches.id'], name=op.f('fk_bayzat_record_pushes_batch_id_bayzat_sync_batches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['attendance_import_records.id'], name=op.f('fk_bayzat_record_pushes_record_id_attendance_import_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_bayzat_record_pushes'))
    )
    with op.batch_alter_table('bayzat_record_pushes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bayzat_record_pushes_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bayzat_record_pushes_status_next_retry_at'), ['status', 'next_retry_at'], unique=False)

    op.execute(
        f"INSERT INTO bayzat_record_pushes (record_id, {', '.join(_COLUMNS)}) "
        f"SELECT id, {', '.join(_COLUMNS.values())} FROM attendance_import_records WHERE NOT ({_UNTOUCHED})"
    )
    # On SQLite this rebuilds the table: engine.migrate runs migrations with foreign keys off, so the rebuild
    # does not cascade into bayzat_record_pushes.
    with op.batch_alter_table('attendance_import_records', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_import_records_push_queue')
        batch_op.create_index(batch_op.f('ix_attendance_import_records_company_id'), ['company_id'], unique=False)
        batch_op.drop_constraint('fk_attendance_import_records_batch', type_='foreignkey')
        for column in _COLUMNS.values():
            if column != 'updated_at':
                batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table('attendance_import_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bayzat_sync_status', sa.String(length=16), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('bayzat_sync_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bayzat_sync_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bayzat_retry_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('bayzat_next_retry_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bayzat_batch_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_attendance_import_records_batch', 'bayzat_sync_batches', ['bayzat_batch_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index(batch_op.f('ix_attendance_import_records_company_id'))
        batch_op.create_index('ix_attendance_import_records_push_queue', ['company_id', 'bayzat_sync_status', 'bayzat_next_retry_at'], unique=False)

    pushed = "id IN (SELECT record_id FROM bayzat_record_pushes)"
    copies = ', '.join(
        f"{column} = (SELECT p.{push} FROM bayzat_record_pushes p WHERE p.record_id = attendance_import_records.id)"
        for push, column in _COLUMNS.items()
    )
    op.execute(f"UPDATE attendance_import_records SET {copies} WHERE {pushed}")
    op.execute(
        "UPDATE attendance_import_records SET bayzat_sync_status = 'skipped', "
        f"bayzat_sync_error = 'not valid: see validation_errors' WHERE NOT is_valid AND NOT ({pushed})"
    )
    with op.batch_alter_table('bayzat_record_pushes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bayzat_record_pushes_status_next_retry_at'))
        batch_op.drop_index(batch_op.f('ix_bayzat_record_pushes_batch_id'))
    op.drop_table('bayzat_record_pushes')
    with op.batch_alter_table('attendance_import_records', schema=None) as batch_op:
        batch_op.alter_column('bayzat_sync_status', existing_type=sa.String(length=16), existing_nullable=False, server_default=None)
        batch_op.alter_column('bayzat_retry_count', existing_type=sa.Integer(), existing_nullable=False, server_default=None)
