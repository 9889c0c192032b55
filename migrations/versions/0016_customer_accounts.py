"""customer accounts a reseller creates: contact, domain and billing contact of an organisation

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

COLUMNS = (('contact_name', 200), ('contact_email', 254), ('domain', 253), ('billing_contact_name', 200),
           ('billing_contact_email', 254))


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
