"""Each company's employee master: companies.employee_master, the company's own lists (company_employee_lists, one
snapshot per import, and their rows in company_employees) and device ids mapped to employee codes
(device_employee_codes). Existing companies keep the deployment's rule (employee_master NULL).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company_employee_lists',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('valid_rows', sa.Integer(), nullable=False),
    sa.Column('imported_by', sa.String(length=128), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_employee_lists_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_employee_lists'))
    )
    with op.batch_alter_table('company_employee_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_employee_lists_company_id'), ['company_id'], unique=False)

    op.create_table('device_employee_codes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_device_employee_codes_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_employee_codes')),
    sa.UniqueConstraint('company_id', 'device_id', name=op.f('uq_device_employee_codes_company_id_device_id'))
    )
    op.create_table('company_employees',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('employee_code', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('is_valid', sa.Boolean(), nullable=False),
    sa.Column('validation_errors', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['company_employee_lists.id'], name=op.f('fk_company_employees_list_id_company_employee_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', 'row_number', name=op.f('pk_company_employees'))
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employee_master', sa.String(length=8), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('employee_master')

    op.drop_table('company_employees')
    op.drop_table('device_employee_codes')
    with op.batch_alter_table('company_employee_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_employee_lists_company_id'))

    op.drop_table('company_employee_lists')
