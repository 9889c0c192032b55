"""the plural of a resource's unit, when the English rule does not give it

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 09:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_plural', sa.String(length=30), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_column('unit_plural')
