"""subscription lifecycle: change policy per plan, scheduled changes, quantity records,
billing periods, and the subscription's term, trial, cancellation and dunning fields

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 23:59:12.040032

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('period_end', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('customer_amount', sa.Integer(), nullable=False),
    sa.Column('reseller_amount', sa.Integer(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_billing_period_subscription_id_subscription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_period')),
    sa.UniqueConstraint('subscription_id', 'period_start', name=op.f('uq_billing_period_subscription_id_period_start'))
    )
    with op.batch_alter_table('billing_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_period_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_period_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('quantity_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_quantity_record_resource_id_resource')),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_quantity_record_subscription_id_subscription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quantity_record'))
    )
    with op.batch_alter_table('quantity_record', schema=None) as batch_op:
        batch_op.create_index('ix_quantity_record_lookup', ['subscription_id', 'resource_id', 'recorded_at'], unique=False)

    op.create_table('scheduled_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('quantities', sa.JSON(), nullable=False),
    sa.Column('effective_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('drop_reason', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_scheduled_change_created_by_id_user')),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_scheduled_change_subscription_id_subscription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_change'))
    )
    with op.batch_alter_table('scheduled_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_change_effective_at'), ['effective_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_change_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_change_subscription_id'), ['subscription_id'], unique=False)

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decrease_policy', sa.String(length=20), server_default='next_period', nullable=False))
        batch_op.add_column(sa.Column('decrease_window_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cancel_policy', sa.String(length=20), server_default='period_end', nullable=False))
        batch_op.add_column(sa.Column('cancel_window_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            'policy_windows', 'decrease_window_days >= 0 AND cancel_window_days >= 0'
        )

    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_anchor', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('term_end', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_prices', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('trial_ends_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_at_period_end', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('expired_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('charge_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('charge_failed_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_charge_attempt_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_subscription_next_charge_attempt_at'), ['next_charge_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_next_charge_attempt_at'))
        batch_op.drop_column('next_charge_attempt_at')
        batch_op.drop_column('charge_failed_since')
        batch_op.drop_column('charge_attempts')
        batch_op.drop_column('suspended_at')
        batch_op.drop_column('expired_at')
        batch_op.drop_column('cancel_at_period_end')
        batch_op.drop_column('trial_ends_at')
        batch_op.drop_column('locked_prices')
        batch_op.drop_column('term_end')
        batch_op.drop_column('period_anchor')

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_plan_policy_windows'), type_='check')
        batch_op.drop_column('cancel_window_days')
        batch_op.drop_column('cancel_policy')
        batch_op.drop_column('decrease_window_days')
        batch_op.drop_column('decrease_policy')

    with op.batch_alter_table('scheduled_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduled_change_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_scheduled_change_status'))
        batch_op.drop_index(batch_op.f('ix_scheduled_change_effective_at'))

    op.drop_table('scheduled_change')
    with op.batch_alter_table('quantity_record', schema=None) as batch_op:
        batch_op.drop_index('ix_quantity_record_lookup')

    op.drop_table('quantity_record')
    with op.batch_alter_table('billing_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_period_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_billing_period_status'))

    op.drop_table('billing_period')
