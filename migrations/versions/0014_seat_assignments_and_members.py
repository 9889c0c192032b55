"""seat assignments of organisation subscriptions; the users page's invitation, last sign-in
and removal dates

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seat_assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_seat_assignment_assigned_by_id_user')),
        sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_seat_assignment_subscription_id_subscription')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_seat_assignment_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_assignment')),
        sa.UniqueConstraint('subscription_id', 'user_id', name=op.f('uq_seat_assignment_subscription_id_user_id')),
    )
    with op.batch_alter_table('seat_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_assignment_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_assignment_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_signed_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('last_signed_in_at')
        batch_op.drop_column('invited_at')

    with op.batch_alter_table('seat_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_seat_assignment_subscription_id'))

    op.drop_table('seat_assignment')
