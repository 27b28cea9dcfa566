"""payroll: pay periods, results per employee and period, period totals

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payroll_periods',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('period_type', sa.String(length=16), nullable=False),
    sa.Column('automation_enabled', sa.Boolean(), nullable=False),
    sa.Column('automation_rule', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_payroll_periods_dates')),
    sa.CheckConstraint("status IN ('active', 'processing', 'completed', 'failed')", name=op.f('ck_payroll_periods_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payroll_periods')),
    sa.UniqueConstraint('period_type', 'start_date', 'end_date', name=op.f('uq_payroll_periods_period_type_start_date_end_date'))
    )
    with op.batch_alter_table('payroll_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payroll_periods_status'), ['status'], unique=False)

    op.create_table('payroll_results',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('pay_type', sa.String(length=16), nullable=True),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('annual_salary', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('overtime_eligible', sa.Boolean(), nullable=False),
    sa.Column('paid_days', sa.Integer(), nullable=False),
    sa.Column('regular_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('overtime_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('gross_pay', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('note', sa.String(length=64), nullable=True),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['payroll_periods.id'], name=op.f('fk_payroll_results_period_id_payroll_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', 'employee_code', name=op.f('pk_payroll_results'))
    )
    op.create_table('payroll_period_totals',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.Column('hourly_employees', sa.Integer(), nullable=False),
    sa.Column('salaried_employees', sa.Integer(), nullable=False),
    sa.Column('hourly_without_attendance', sa.Integer(), nullable=False),
    sa.Column('without_pay_data', sa.Integer(), nullable=False),
    sa.Column('regular_hours', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('overtime_hours', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('gross_pay', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['payroll_periods.id'], name=op.f('fk_payroll_period_totals_period_id_payroll_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', name=op.f('pk_payroll_period_totals'))
    )


def downgrade() -> None:
    op.drop_table('payroll_period_totals')
    op.drop_table('payroll_results')
    with op.batch_alter_table('payroll_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payroll_periods_status'))

    op.drop_table('payroll_periods')
