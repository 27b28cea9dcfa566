"""paycom_employees.phone_number and its snapshots': the Directory's "Phone #", as the seed's employee model has it

Personal data: stored for HR, never put in metadata, logs or notifications.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('paycom_employees', 'paycom_employee_snapshots'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('phone_number', sa.String(length=32), nullable=True))


def downgrade() -> None:
    for table in ('paycom_employees', 'paycom_employee_snapshots'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('phone_number')
