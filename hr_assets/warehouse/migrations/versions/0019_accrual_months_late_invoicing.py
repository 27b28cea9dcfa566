"""accrual_months.invoiced_late_in_month: of a month's invoiced_in_month, the lines dated in a closed month before it

Each invoice line is now counted once, in one month, so the months' invoiced_in_month add up to invoiced_to_date: a
line dated in a closed month that arrived after the close is counted in the first open month after it, and shown
there as late. Existing rows get NULL: an open month has it at its next booking; a month closed before this
migration keeps NULL (what its close froze did not say), and its close's digest stays valid.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accrual_months', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoiced_late_in_month', sa.Numeric(precision=14, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accrual_months', schema=None) as batch_op:
        batch_op.drop_column('invoiced_late_in_month')
