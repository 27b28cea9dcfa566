"""api_budgets: each vendor API key's next request slot, shared by every run and process

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_budgets',
    sa.Column('budget', sa.String(length=64), nullable=False),
    sa.Column('api', sa.String(length=32), nullable=False),
    sa.Column('next_slot', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('budget', name=op.f('pk_api_budgets'))
    )


def downgrade() -> None:
    op.drop_table('api_budgets')
