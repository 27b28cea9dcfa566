"""scheduling_staff: worked hours this week, pay period and year, what is left before overtime and the cap, and
what people set on a row (a weekly cap override, the scheduling app's staff id).

Plain added columns, all nullable: every existing row is kept, its hours filled at the next refresh.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = (
    ('hours_as_of', sa.Date()),
    ('pay_period_id', sa.Integer()),
    ('hours_this_week', sa.Numeric(precision=6, scale=2)),
    ('hours_this_year', sa.Numeric(precision=7, scale=2)),
    ('overtime_hours_this_week', sa.Numeric(precision=6, scale=2)),
    ('hours_left_before_overtime', sa.Numeric(precision=6, scale=2)),
    ('hours_left_before_cap', sa.Numeric(precision=6, scale=2)),
    ('weekly_cap_override', sa.Integer()),
    ('scheduling_app_staff_id', sa.String(length=64)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column('scheduling_staff', sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('scheduling_staff', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
