"""card orders, complete invoices and mail delivery: the order's payment status; invoice kind,
seller, subscription, billing details as issued, void date; the outbox's HTML part,
de-duplication key and delivery state

Revision ID: 0008
Revises: 0009
Create Date: 2026-11-22 00:55:29.050479

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='order', nullable=False))
        batch_op.add_column(sa.Column('seller_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subscription_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('bill_to', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_invoice_subscription_id_subscription'), 'subscription', ['subscription_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_invoice_seller_id_organisation'), 'organisation', ['seller_id'], ['id'])

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_status', sa.String(length=20), server_default='unpaid', nullable=False))
        batch_op.add_column(sa.Column('paid_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_payment_status'), ['payment_status'], unique=False)

    # Orders placed before card payments were all on account: invoiced at placing.
    op.execute("UPDATE \"order\" SET payment_status = 'invoiced' WHERE payment_method = 'on_account'")

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dedup_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('message_id', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_error', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_status'), ['status'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_message_dedup_key'), ['dedup_key'])

    # Messages recorded before there was a mailer: sent ones stay sent, the rest wait for it.
    op.execute("UPDATE outbox_message SET status = 'sent' WHERE sent_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_message_dedup_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_outbox_message_status'))
        for column in ('claimed_until', 'last_attempt_at', 'last_error', 'attempts', 'message_id', 'status', 'dedup_key', 'html'):
            batch_op.drop_column(column)

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_payment_status'))
        batch_op.drop_column('paid_at')
        batch_op.drop_column('payment_status')

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoice_seller_id_organisation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_invoice_subscription_id_subscription'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoice_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_issued_at'))
        batch_op.drop_column('voided_at')
        batch_op.drop_column('bill_to')
        batch_op.drop_column('subscription_id')
        batch_op.drop_column('seller_id')
        batch_op.drop_column('kind')

