"""companies.date_format: how each company's fingerprint device writes dates NN/NN/YYYY

NULL for every existing company: its files' dates are settled by each file, as before a slashed date was refused.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('companies', sa.Column('date_format', sa.String(length=3), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild of companies would cascade to the tables that reference it.
    op.drop_column('companies', 'date_format')
