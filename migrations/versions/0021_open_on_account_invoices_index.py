"""the credit check's index: an organisation's open on-account invoices (with their totals on
PostgreSQL), so the sum under the organisation's row lock reads those rows only

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

OPEN_ON_ACCOUNT = sa.text("status = 'open' AND payment_method = 'on_account'")


def upgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_open_on_account', ['organisation_id', 'currency'], unique=False,
                              postgresql_include=['total'], postgresql_where=OPEN_ON_ACCOUNT, sqlite_where=OPEN_ON_ACCOUNT)


def downgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_open_on_account')
