"""lifecycle billing: invoice payments (a Payment per invoice), the invoice of a billing period,
the quantities before a change line

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-22 01:03:32.424126

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billing_period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_billing_period_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_billing_period_invoice_id_invoice'), 'invoice', ['invoice_id'], ['id'])

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_quantities', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_id', sa.Integer(), nullable=True))
        batch_op.alter_column('order_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_payment_invoice_id'), ['invoice_id'])
        batch_op.create_foreign_key(batch_op.f('fk_payment_invoice_id_invoice'), 'invoice', ['invoice_id'], ['id'])



def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payment_invoice_id_invoice'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_payment_invoice_id'), type_='unique')
        batch_op.alter_column('order_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('invoice_id')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('previous_quantities')

    with op.batch_alter_table('billing_period', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_billing_period_invoice_id_invoice'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_billing_period_invoice_id'))
        batch_op.drop_column('invoice_id')

