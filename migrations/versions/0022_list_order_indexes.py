"""list order indexes: the back office's lists of orders, mails and fulfillment requests are
read newest first one page at a time; without an index on the column they are ordered by, each
page sorted the whole table (20,000 orders: an on-disk sort of every row)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 15:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('fulfillment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfillment_request_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('fulfillment_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfillment_request_updated_at'))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_created_at'))
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_created_at'))
