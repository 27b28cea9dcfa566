"""revenue chain

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accrual_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('invoiced_in_month', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('invoiced_to_date', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('recognized_in_month', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('recognized_to_date', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('deferred_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unmatched_lines', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_accrual_months'))
    )
    op.create_table('accruals',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('invoice_id', sa.String(length=32), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('service_period_id', sa.Integer(), nullable=True),
    sa.Column('recognized_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('month', 'invoice_id', 'line_no', name=op.f('pk_accruals'))
    )
    op.create_table('crm_students',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('holded_contact_id', sa.String(length=32), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_students'))
    )
    with op.batch_alter_table('crm_students', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_students_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_students_holded_contact_id'), ['holded_contact_id'], unique=False)

    op.create_table('holded_contacts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('custom_id', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('trade_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holded_contacts'))
    )
    op.create_table('holded_invoice_lines',
    sa.Column('invoice_id', sa.String(length=32), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('invoice_month', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('service_id', sa.String(length=32), nullable=True),
    sa.Column('sku', sa.String(length=100), nullable=True),
    sa.Column('units', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('tax_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('gross_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('invoice_id', 'line_no', name=op.f('pk_holded_invoice_lines'))
    )
    with op.batch_alter_table('holded_invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holded_invoice_lines_invoice_month'), ['invoice_month'], unique=False)

    op.create_table('holded_invoices',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('invoice_month', sa.Date(), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('contact_id', sa.String(length=32), nullable=False),
    sa.Column('doc_number', sa.String(length=64), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=True),
    sa.Column('subtotal', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('discount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tax', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holded_invoices'))
    )
    with op.batch_alter_table('holded_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holded_invoices_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holded_invoices_invoice_month'), ['invoice_month'], unique=False)

    op.create_table('holded_services',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('code', sa.String(length=100), nullable=True),
    sa.Column('tax_percent', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('for_sale', sa.Boolean(), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holded_services'))
    )
    op.create_table('notion_client_pages',
    sa.Column('holded_contact_id', sa.String(length=32), nullable=False),
    sa.Column('notion_page_id', sa.String(length=64), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('holded_contact_id', name=op.f('pk_notion_client_pages'))
    )
    op.create_table('service_periods',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('holded_contact_id', sa.String(length=32), nullable=True),
    sa.Column('service_code', sa.String(length=100), nullable=False),
    sa.Column('cohort_slug', sa.String(length=150), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('educational_status', sa.String(length=32), nullable=True),
    sa.Column('financial_status', sa.String(length=32), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_periods'))
    )
    with op.batch_alter_table('service_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_periods_holded_contact_id'), ['holded_contact_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('service_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_periods_holded_contact_id'))

    op.drop_table('service_periods')
    op.drop_table('notion_client_pages')
    op.drop_table('holded_services')
    with op.batch_alter_table('holded_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holded_invoices_invoice_month'))
        batch_op.drop_index(batch_op.f('ix_holded_invoices_contact_id'))

    op.drop_table('holded_invoices')
    with op.batch_alter_table('holded_invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holded_invoice_lines_invoice_month'))

    op.drop_table('holded_invoice_lines')
    op.drop_table('holded_contacts')
    with op.batch_alter_table('crm_students', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_students_holded_contact_id'))
        batch_op.drop_index(batch_op.f('ix_crm_students_email'))

    op.drop_table('crm_students')
    op.drop_table('accruals')
    op.drop_table('accrual_months')
