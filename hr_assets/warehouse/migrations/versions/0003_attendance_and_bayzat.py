"""attendance and bayzat

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendance_imports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('partition_key', sa.String(length=128), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_path', sa.String(length=1024), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('total_records', sa.Integer(), nullable=False),
    sa.Column('processed_records', sa.Integer(), nullable=False),
    sa.Column('successful_records', sa.Integer(), nullable=False),
    sa.Column('failed_records', sa.Integer(), nullable=False),
    sa.Column('validation_errors', sa.JSON(), nullable=True),
    sa.Column('unmapped_departments', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('file_removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_imports')),
    sa.UniqueConstraint('content_sha256', name=op.f('uq_attendance_imports_content_sha256')),
    sa.UniqueConstraint('partition_key', name=op.f('uq_attendance_imports_partition_key'))
    )
    op.create_table('companies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=True),
    sa.Column('fingerprint_report_name', sa.String(length=255), nullable=True),
    sa.Column('fingerprint_report_key', sa.String(length=255), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('fingerprint_report_key', name=op.f('uq_companies_fingerprint_report_key')),
    sa.UniqueConstraint('slug', name=op.f('uq_companies_slug'))
    )
    op.create_table('bayzat_configs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('api_key_encrypted', sa.Text(), nullable=False),
    sa.Column('api_url', sa.String(length=255), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('sync_frequency', sa.String(length=16), nullable=False),
    sa.Column('needs_new_key', sa.Boolean(), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('push_lease_run_id', sa.String(length=64), nullable=True),
    sa.Column('push_lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_bayzat_configs_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bayzat_configs')),
    sa.UniqueConstraint('company_id', name=op.f('uq_bayzat_configs_company_id'))
    )
    op.create_table('bayzat_sync_batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('attendance_import_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('total_records', sa.Integer(), nullable=False),
    sa.Column('synced_records', sa.Integer(), nullable=False),
    sa.Column('failed_records', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attendance_import_id'], ['attendance_imports.id'], name='fk_bayzat_sync_batches_import', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_bayzat_sync_batches_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bayzat_sync_batches'))
    )
    with op.batch_alter_table('bayzat_sync_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bayzat_sync_batches_company_id_status'), ['company_id', 'status'], unique=False)

    op.create_table('attendance_import_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('attendance_import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('csv_employee_id', sa.String(length=64), nullable=False),
    sa.Column('first_name', sa.String(length=255), nullable=False),
    sa.Column('fingerprint_department', sa.String(length=255), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('weekday', sa.String(length=20), nullable=False),
    sa.Column('check_in', sa.Time(), nullable=True),
    sa.Column('check_out', sa.Time(), nullable=True),
    sa.Column('clock_in', sa.Time(), nullable=True),
    sa.Column('clock_out', sa.Time(), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('is_valid', sa.Boolean(), nullable=False),
    sa.Column('validation_errors', sa.JSON(), nullable=True),
    sa.Column('bayzat_sync_status', sa.String(length=16), nullable=False),
    sa.Column('bayzat_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bayzat_sync_error', sa.Text(), nullable=True),
    sa.Column('bayzat_retry_count', sa.Integer(), nullable=False),
    sa.Column('bayzat_next_retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bayzat_batch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attendance_import_id'], ['attendance_imports.id'], name='fk_attendance_import_records_import', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['bayzat_batch_id'], ['bayzat_sync_batches.id'], name='fk_attendance_import_records_batch', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name='fk_attendance_import_records_company', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_import_records')),
    sa.UniqueConstraint('attendance_import_id', 'row_number', name='uq_attendance_import_records_row')
    )
    with op.batch_alter_table('attendance_import_records', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_import_records_employee_date', ['csv_employee_id', 'date'], unique=False)
        batch_op.create_index('ix_attendance_import_records_push_queue', ['company_id', 'bayzat_sync_status', 'bayzat_next_retry_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attendance_import_records', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_import_records_push_queue')
        batch_op.drop_index('ix_attendance_import_records_employee_date')

    op.drop_table('attendance_import_records')
    with op.batch_alter_table('bayzat_sync_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bayzat_sync_batches_company_id_status'))

    op.drop_table('bayzat_sync_batches')
    op.drop_table('bayzat_configs')
    op.drop_table('companies')
    op.drop_table('attendance_imports')
