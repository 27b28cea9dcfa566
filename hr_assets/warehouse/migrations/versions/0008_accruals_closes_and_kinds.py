"""Accrual months closed by their close, and each accrual row's kind

A month is closed when its close has run (``accrual_closes``: when, by whom, and a digest of the figures it
froze), not because it was computed once. Each row of ``accruals`` says whether it is the month's own share
(``recognised``) or a share of a closed month booked in the first open month after it (``catch_up``); a line can
have one of each in a month, so the kind joins the primary key. Every existing row is kept, as ``recognised``.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accrual_closes',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.String(length=64), nullable=False),
    sa.Column('figures_digest', sa.String(length=64), nullable=False),
    sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_accrual_closes'))
    )
    # Nothing references accruals, so rebuilding it on SQLite cascades nowhere.
    with op.batch_alter_table('accruals', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='recognised'))
        batch_op.drop_constraint('pk_accruals', type_='primary')
        batch_op.create_primary_key('pk_accruals', ['month', 'invoice_id', 'line_no', 'kind'])


def downgrade() -> None:
    # Fails while a line has two kinds in one month: nothing is summed away silently.
    with op.batch_alter_table('accruals', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('pk_accruals', type_='primary')
        batch_op.create_primary_key('pk_accruals', ['month', 'invoice_id', 'line_no'])
        batch_op.drop_column('kind')
    op.drop_table('accrual_closes')
