"""payroll_results and payroll_result_rates: regular_minutes and overtime_minutes, what pay is computed from

Pay is computed from exact minutes, rounded once to the cent (docs/payroll.md); the hours columns stay, the minutes
to the hundredth, for people to read. Rows of earlier runs get the minutes their hours were rounded from: a rate
row's hours are its whole minutes to the hundredth (within 0.3 of a minute), so hours x 60 rounded gives them back,
and a result's minutes are the sum of its rate rows'. Their pay stays as it was computed then, from the rounded hours;
the reconcile check, which recomputes by the minutes, names the employees whose cents differ until the period is run
again (--force) and paid by the minutes.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

COLUMNS = ('regular_minutes', 'overtime_minutes')


def _add(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))


def _not_null(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)


def upgrade() -> None:
    _add('payroll_result_rates')
    op.execute(
        "UPDATE payroll_result_rates SET regular_minutes = CAST(ROUND(regular_hours * 60) AS INTEGER), "
        "overtime_minutes = CAST(ROUND(overtime_hours * 60) AS INTEGER)"
    )
    _add('payroll_results')
    sums = {
        column: (
            f"COALESCE((SELECT SUM(r.{column}) FROM payroll_result_rates r WHERE r.period_id = payroll_results.period_id"
            f" AND r.employee_code = payroll_results.employee_code), 0)"
        )
        for column in COLUMNS
    }
    op.execute(f"UPDATE payroll_results SET {', '.join(f'{column} = {sums[column]}' for column in COLUMNS)}")
    _not_null('payroll_result_rates')
    _not_null('payroll_results')


def downgrade() -> None:
    for table in ('payroll_results', 'payroll_result_rates'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_column(column)
