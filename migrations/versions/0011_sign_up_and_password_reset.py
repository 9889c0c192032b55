"""sign-up and password reset: when a user proved their e-mail address (users who exist already
count as verified: demo data and invited users proved it with their link); what a throttled
attempt was (sign-in failures, sign-ups, reset and verification-link requests)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))

    user = sa.table('user', sa.column('email_verified_at', sa.DateTime()), sa.column('created_at', sa.DateTime()))
    op.execute(user.update().values(email_verified_at=user.c.created_at))

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.String(length=20), server_default='sign_in', nullable=False))
        batch_op.create_index(batch_op.f('ix_login_attempt_action'), ['action'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempt_action'))
        batch_op.drop_column('action')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
