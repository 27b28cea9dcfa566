"""paycom roster

Revision ID: 0001
Revises: 
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('integration_errors',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('asset', sa.String(length=64), nullable=False),
    sa.Column('partition_key', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=128), nullable=True),
    sa.Column('record_key', sa.String(length=128), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_errors'))
    )
    with op.batch_alter_table('integration_errors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_errors_asset_partition_key'), ['asset', 'partition_key'], unique=False)

    op.create_table('paycom_employee_snapshots',
    sa.Column('sync_week', sa.Date(), nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('department_code', sa.String(length=32), nullable=True),
    sa.Column('department_description', sa.String(length=200), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('position_family', sa.String(length=200), nullable=True),
    sa.Column('location_code', sa.String(length=32), nullable=True),
    sa.Column('work_email', sa.String(length=254), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('rehire_date', sa.Date(), nullable=True),
    sa.Column('termination_date', sa.Date(), nullable=True),
    sa.Column('pay_type', sa.String(length=16), nullable=True),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('annual_salary', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('overtime_eligible', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('sync_week', 'employee_code', name=op.f('pk_paycom_employee_snapshots'))
    )
    op.create_table('paycom_employees',
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('department_code', sa.String(length=32), nullable=True),
    sa.Column('department_description', sa.String(length=200), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('position_family', sa.String(length=200), nullable=True),
    sa.Column('location_code', sa.String(length=32), nullable=True),
    sa.Column('work_email', sa.String(length=254), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('rehire_date', sa.Date(), nullable=True),
    sa.Column('termination_date', sa.Date(), nullable=True),
    sa.Column('pay_type', sa.String(length=16), nullable=True),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('annual_salary', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('overtime_eligible', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_synced_week', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('employee_code', name=op.f('pk_paycom_employees'))
    )
    op.create_table('paycom_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('sync_week', sa.Date(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('report_type', sa.String(length=16), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paycom_files')),
    sa.UniqueConstraint('sync_week', 'file_name', name=op.f('uq_paycom_files_sync_week_file_name'))
    )
    op.create_table('paycom_payees',
    sa.Column('sync_week', sa.Date(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('payee_code', sa.String(length=64), nullable=True),
    sa.Column('payee_description', sa.String(length=200), nullable=True),
    sa.Column('garnishment_type', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('sync_week', 'file_name', 'row_number', name=op.f('pk_paycom_payees'))
    )
    op.create_table('paycom_sync_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('sync_week', sa.Date(), nullable=False),
    sa.Column('report_type', sa.String(length=16), nullable=False),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('files_processed', sa.Integer(), nullable=False),
    sa.Column('employees_processed', sa.Integer(), nullable=False),
    sa.Column('employees_created', sa.Integer(), nullable=False),
    sa.Column('employees_updated', sa.Integer(), nullable=False),
    sa.Column('employees_terminated', sa.Integer(), nullable=False),
    sa.Column('rows_invalid', sa.Integer(), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paycom_sync_log')),
    sa.UniqueConstraint('run_id', name=op.f('uq_paycom_sync_log_run_id'))
    )
    with op.batch_alter_table('paycom_sync_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paycom_sync_log_sync_week'), ['sync_week'], unique=False)

    op.create_table('scheduling_staff',
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('available_for_scheduling', sa.Boolean(), nullable=False),
    sa.Column('max_hours_per_week', sa.Integer(), nullable=False),
    sa.Column('hours_this_period', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('employee_code', name=op.f('pk_scheduling_staff'))
    )


def downgrade() -> None:
    op.drop_table('scheduling_staff')
    with op.batch_alter_table('paycom_sync_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paycom_sync_log_sync_week'))

    op.drop_table('paycom_sync_log')
    op.drop_table('paycom_payees')
    op.drop_table('paycom_files')
    op.drop_table('paycom_employees')
    op.drop_table('paycom_employee_snapshots')
    with op.batch_alter_table('integration_errors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_errors_asset_partition_key'))

    op.drop_table('integration_errors')
