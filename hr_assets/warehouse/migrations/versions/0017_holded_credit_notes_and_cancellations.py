"""Holded's credit notes and their lines, and each invoice's cancellation

``holded_credit_notes`` and ``holded_credit_note_lines`` hold the refunds (``documents/creditnote``) as Holded sends
them, each note with the invoice it credits when Holded names one; ``holded_invoices.cancelled`` marks an invoice
Holded reports cancelled, kept with its lines and never recognized. Every existing invoice is live.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holded_credit_notes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('credit_note_month', sa.Date(), nullable=False),
    sa.Column('credit_note_date', sa.Date(), nullable=False),
    sa.Column('contact_id', sa.String(length=32), nullable=False),
    sa.Column('doc_number', sa.String(length=64), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=True),
    sa.Column('subtotal', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('discount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tax', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('credited_invoice_id', sa.String(length=32), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holded_credit_notes'))
    )
    with op.batch_alter_table('holded_credit_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holded_credit_notes_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holded_credit_notes_credit_note_month'), ['credit_note_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_holded_credit_notes_credited_invoice_id'), ['credited_invoice_id'], unique=False)

    op.create_table('holded_credit_note_lines',
    sa.Column('credit_note_id', sa.String(length=32), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('credit_note_month', sa.Date(), nullable=False),
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
    sa.PrimaryKeyConstraint('credit_note_id', 'line_no', name=op.f('pk_holded_credit_note_lines'))
    )
    with op.batch_alter_table('holded_credit_note_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holded_credit_note_lines_credit_note_month'), ['credit_note_month'], unique=False)

    with op.batch_alter_table('holded_invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('holded_invoices', schema=None) as batch_op:
        batch_op.drop_column('cancelled')
    with op.batch_alter_table('holded_credit_note_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holded_credit_note_lines_credit_note_month'))
    op.drop_table('holded_credit_note_lines')
    with op.batch_alter_table('holded_credit_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holded_credit_notes_credited_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_holded_credit_notes_credit_note_month'))
        batch_op.drop_index(batch_op.f('ix_holded_credit_notes_contact_id'))
    op.drop_table('holded_credit_notes')
