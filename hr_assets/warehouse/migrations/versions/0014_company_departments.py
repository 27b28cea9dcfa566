"""company_departments: many fingerprint department names map to one company

Each company's one department (companies.fingerprint_report_name and its key) becomes its first row here, and the
two columns go. The downgrade puts back each company's first department (the oldest mapping); its others are lost.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company_departments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department_key', sa.String(length=255), nullable=False),
    sa.Column('department_name', sa.String(length=255), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_departments_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_departments')),
    sa.UniqueConstraint('department_key', name=op.f('uq_company_departments_department_key'))
    )
    with op.batch_alter_table('company_departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_departments_company_id'), ['company_id'], unique=False)

    op.execute(
        "INSERT INTO company_departments (department_key, department_name, company_id, created_at) "
        "SELECT fingerprint_report_key, fingerprint_report_name, id, created_at FROM companies "
        "WHERE fingerprint_report_key IS NOT NULL ORDER BY id"
    )
    # On SQLite this rebuilds companies: engine.migrate runs migrations with foreign keys off, so dropping the old
    # table does not cascade into the tables that reference it.
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_companies_fingerprint_report_key'), type_='unique')
        batch_op.drop_column('fingerprint_report_key')
        batch_op.drop_column('fingerprint_report_name')


def downgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint_report_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('fingerprint_report_key', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_companies_fingerprint_report_key'), ['fingerprint_report_key'])
    first = (
        "FROM company_departments WHERE company_departments.id = (SELECT MIN(d.id) FROM company_departments d "
        "WHERE d.company_id = companies.id)"
    )
    op.execute(
        f"UPDATE companies SET fingerprint_report_name = (SELECT department_name {first}), "
        f"fingerprint_report_key = (SELECT department_key {first})"
    )
    with op.batch_alter_table('company_departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_departments_company_id'))
    op.drop_table('company_departments')
