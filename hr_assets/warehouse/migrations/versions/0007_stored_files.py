"""stored files: raw files in the warehouse, where every run can read them

Paycom's downloads and the attendance files are kept in stored_files (size, SHA-256) and stored_file_chunks (the
content, a chunk a row), so a run on any machine reads what another run or the inbox sensor stored; each Paycom file
in paycom_files points at its stored file. paycom_files is rebuilt on SQLite (nothing refers to it); its rows are
kept, with no stored file: files downloaded before stay where they were and are not read again.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files'))
    )
    op.create_index(op.f('ix_stored_files_source_sha256'), 'stored_files', ['source', 'sha256'], unique=False)
    op.create_table('stored_file_chunks',
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('chunk_index', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_stored_file_chunks_stored_file_id_stored_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stored_file_id', 'chunk_index', name=op.f('pk_stored_file_chunks'))
    )
    with op.batch_alter_table('paycom_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_file_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_paycom_files_stored_file_id_stored_files'), 'stored_files', ['stored_file_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('paycom_files', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_paycom_files_stored_file_id_stored_files'), type_='foreignkey')
        batch_op.drop_column('stored_file_id')
    op.drop_table('stored_file_chunks')
    op.drop_index(op.f('ix_stored_files_source_sha256'), table_name='stored_files')
    op.drop_table('stored_files')
