"""kept subscription margins: each subscription keeps its margin per billing period and per
month (computed from its locked prices, quantities and plan by app.plans.margins.kept_margins),
so the reseller home shows and sorts by margin without parsing the locked prices' JSON of every
row; two indexes serve the margin sort in either direction (rows without a margin last)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_margin', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('monthly_margin', sa.Integer(), nullable=True))
    # The one rule, as the app keeps it at every flush from now on.
    from app.plans.margins import keep_every_subscriptions_margins

    keep_every_subscriptions_margins(op.get_bind())
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_margin_ascending', ['monthly_margin', 'id'], unique=False)
        # SQLite sorts NULL first ascending, so last descending, and refuses NULLS LAST in an index.
        nulls_last = ' NULLS LAST' if op.get_bind().dialect.name == 'postgresql' else ''
        batch_op.create_index('ix_subscription_margin_descending', [sa.text(f'monthly_margin DESC{nulls_last}'), sa.text('id DESC')],
                              unique=False)


def downgrade():
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_margin_descending')
        batch_op.drop_index('ix_subscription_margin_ascending')
        batch_op.drop_column('monthly_margin')
        batch_op.drop_column('period_margin')
