"""activity log: who did what in an organisation's name (support sessions "on behalf of")

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activity_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('actor_user_id', sa.Integer(), nullable=True),
        sa.Column('on_behalf_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('summary', sa.String(length=500), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_user_id'], ['user.id'], name=op.f('fk_activity_entry_actor_user_id_user')),
        sa.ForeignKeyConstraint(['on_behalf_id'], ['organisation.id'], name=op.f('fk_activity_entry_on_behalf_id_organisation')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_activity_entry_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_entry')),
    )
    with op.batch_alter_table('activity_entry', schema=None) as batch_op:
        batch_op.create_index('ix_activity_entry_organisation_created', ['organisation_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('activity_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_entry_organisation_created')
    op.drop_table('activity_entry')
