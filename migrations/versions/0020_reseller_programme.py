"""reseller programme: who switched reselling and when, payment terms, white-label storefronts,
plan feature tables, and the cost and resale value of order lines for the reports

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('reselling_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reselling_changed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisation_reselling_changed_by_id_user'), 'user',
                                    ['reselling_changed_by_id'], ['id'], use_alter=True)
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('features', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cost_subtotal', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resale_subtotal', sa.Integer(), nullable=True))
    op.create_table(
        'storefront',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('edition', sa.String(length=20), nullable=False),
        sa.Column('display_name', sa.String(length=120), nullable=False),
        sa.Column('tagline', sa.String(length=200), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=False),
        sa.Column('contact_phone', sa.String(length=40), nullable=False),
        sa.Column('primary_colour', sa.String(length=7), nullable=False),
        sa.Column('accent_colour', sa.String(length=7), nullable=False),
        sa.Column('custom_domain', sa.String(length=253), nullable=True),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_content_type', sa.String(length=20), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_storefront_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_storefront')),
        sa.UniqueConstraint('organisation_id', name=op.f('uq_storefront_organisation_id')),
        sa.UniqueConstraint('slug', name=op.f('uq_storefront_slug')),
        sa.UniqueConstraint('custom_domain', name=op.f('uq_storefront_custom_domain')),
    )


def downgrade():
    op.drop_table('storefront')
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('resale_subtotal')
        batch_op.drop_column('cost_subtotal')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('features')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_reselling_changed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('reselling_changed_by_id')
        batch_op.drop_column('reselling_changed_at')
        batch_op.drop_column('payment_terms_days')
