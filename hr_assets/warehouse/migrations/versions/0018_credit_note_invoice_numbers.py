"""A credit note's reference to its invoice by number, and invoices found by number

Holded may name the invoice a credit note credits by its ``docNumber`` rather than its id:
``holded_credit_notes.credited_invoice_number`` keeps that reference as Holded sends it, and accruals find the invoice
by ``holded_invoices.doc_number`` (now indexed) when they read the note, whichever arrived first. Every existing
note names its invoice by id or not at all.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('holded_credit_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credited_invoice_number', sa.String(length=64), nullable=True))
    with op.batch_alter_table('holded_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holded_invoices_doc_number'), ['doc_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('holded_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holded_invoices_doc_number'))
    with op.batch_alter_table('holded_credit_notes', schema=None) as batch_op:
        batch_op.drop_column('credited_invoice_number')
