"""payroll_result_rates: the terms each payroll result was paid with, one row per run of days with the same terms

Each existing result gets the one row it was computed with: its own pay type, rate or salary and hours over its
whole period. No existing row is changed.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payroll_result_rates',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('pay_type', sa.String(length=16), nullable=True),
    sa.Column('hourly_rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('annual_salary', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('overtime_eligible', sa.Boolean(), nullable=False),
    sa.Column('paid_days', sa.Integer(), nullable=False),
    sa.Column('regular_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('overtime_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('gross_pay', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['payroll_periods.id'],
                            name=op.f('fk_payroll_result_rates_period_id_payroll_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', 'employee_code', 'first_day', name=op.f('pk_payroll_result_rates'))
    )
    op.execute(
        "INSERT INTO payroll_result_rates (period_id, employee_code, first_day, last_day, pay_type, hourly_rate, "
        "annual_salary, overtime_eligible, paid_days, regular_hours, overtime_hours, gross_pay) "
        "SELECT r.period_id, r.employee_code, p.start_date, p.end_date, r.pay_type, r.hourly_rate, r.annual_salary, "
        "r.overtime_eligible, r.paid_days, r.regular_hours, r.overtime_hours, r.gross_pay "
        "FROM payroll_results r JOIN payroll_periods p ON p.id = r.period_id"
    )


def downgrade() -> None:
    op.drop_table('payroll_result_rates')
