"""unpaid card orders: when an order was cancelled unpaid; a saved card's last decline and when
it was set up (authenticated) in the browser

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-28 09:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('canceled_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('payment_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_set_up_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('card_declined_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('card_decline_reason', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('payment_account', schema=None) as batch_op:
        batch_op.drop_column('card_decline_reason')
        batch_op.drop_column('card_declined_at')
        batch_op.drop_column('card_set_up_at')

    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_column('canceled_at')
