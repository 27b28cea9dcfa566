"""integration_errors.partition_key as wide as the partition keys it stores

Attendance partition keys are the file's stem (up to 60 characters) and 12 hex digits of its hash, as
attendance_imports.partition_key (128) holds them; 32 characters made an import with a long file name and one
invalid row fail on PostgreSQL after its records were committed. Rows are kept as they are.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('integration_errors', schema=None) as batch_op:
        batch_op.alter_column('partition_key',
               existing_type=sa.String(length=32),
               type_=sa.String(length=128),
               existing_nullable=False)


def downgrade() -> None:
    # Fails on PostgreSQL while a key longer than 32 characters is stored: nothing is cut short.
    with op.batch_alter_table('integration_errors', schema=None) as batch_op:
        batch_op.alter_column('partition_key',
               existing_type=sa.String(length=128),
               type_=sa.String(length=32),
               existing_nullable=False)
