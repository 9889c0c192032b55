"""dated prices (effective_from on price rows) and versions of the distributor's price lists

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

ALWAYS_SQL = "'1970-01-01 00:00:00.000000'"


def upgrade():
    op.create_table(
        'price_list_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('price_list_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('effective_from', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('scheduled_at', sa.DateTime(), nullable=True),
        sa.Column('scheduled_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_price_list_version_created_by_id_user')),
        sa.ForeignKeyConstraint(['price_list_id'], ['price_list.id'], name=op.f('fk_price_list_version_price_list_id_price_list')),
        sa.ForeignKeyConstraint(['scheduled_by_id'], ['user.id'], name=op.f('fk_price_list_version_scheduled_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_list_version')),
        sa.UniqueConstraint('price_list_id', 'number', name=op.f('uq_price_list_version_price_list_id_number')),
    )
    with op.batch_alter_table('price_list_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_list_version_price_list_id'), ['price_list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_list_version_state'), ['state'], unique=False)

    op.create_table(
        'price_list_version_row',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('plan_term_id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=True),
        sa.Column('cost', sa.Integer(), nullable=False),
        sa.Column('msrp', sa.Integer(), nullable=False),
        sa.CheckConstraint('cost >= 0 AND msrp >= 0', name=op.f('ck_price_list_version_row_not_negative')),
        sa.ForeignKeyConstraint(['plan_term_id'], ['plan_term.id'], name=op.f('fk_price_list_version_row_plan_term_id_plan_term')),
        sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_price_list_version_row_resource_id_resource')),
        sa.ForeignKeyConstraint(['version_id'], ['price_list_version.id'], name=op.f('fk_price_list_version_row_version_id_price_list_version')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_list_version_row')),
        sa.UniqueConstraint('version_id', 'plan_term_id', 'resource_id', name=op.f('uq_price_list_version_row_version_id_plan_term_id_resource_id')),
    )
    with op.batch_alter_table('price_list_version_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_list_version_row_plan_term_id'), ['plan_term_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_list_version_row_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_list_version_row_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('plan_term_price', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_from', sa.DateTime(), server_default=sa.text(ALWAYS_SQL), nullable=False))
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_plan_term_price_price_list_id_plan_term_id', type_='unique')
        batch_op.create_unique_constraint('uq_plan_term_price_dated', ['price_list_id', 'plan_term_id', 'effective_from'])
        batch_op.create_index(batch_op.f('ix_plan_term_price_version_id'), ['version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_term_price_version_id_price_list_version'), 'price_list_version',
                                    ['version_id'], ['id'])

    with op.batch_alter_table('resource_price', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_from', sa.DateTime(), server_default=sa.text(ALWAYS_SQL), nullable=False))
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_resource_price_price_list_id_plan_term_id_resource_id', type_='unique')
        batch_op.create_unique_constraint('uq_resource_price_dated',
                                          ['price_list_id', 'plan_term_id', 'resource_id', 'effective_from'])
        batch_op.create_index(batch_op.f('ix_resource_price_version_id'), ['version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_resource_price_version_id_price_list_version'), 'price_list_version',
                                    ['version_id'], ['id'])


def downgrade():
    # Only the rows in effect for good ("since always") survive a downgrade: dated rows would
    # break the old uniqueness of one price per list and item.
    for table in ('resource_price', 'plan_term_price'):
        op.execute(f"DELETE FROM {table} WHERE effective_from <> {ALWAYS_SQL}")
    with op.batch_alter_table('resource_price', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_resource_price_version_id_price_list_version'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_resource_price_version_id'))
        batch_op.drop_constraint('uq_resource_price_dated', type_='unique')
        batch_op.create_unique_constraint('uq_resource_price_price_list_id_plan_term_id_resource_id',
                                          ['price_list_id', 'plan_term_id', 'resource_id'])
        batch_op.drop_column('version_id')
        batch_op.drop_column('effective_from')
    with op.batch_alter_table('plan_term_price', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_term_price_version_id_price_list_version'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_term_price_version_id'))
        batch_op.drop_constraint('uq_plan_term_price_dated', type_='unique')
        batch_op.create_unique_constraint('uq_plan_term_price_price_list_id_plan_term_id', ['price_list_id', 'plan_term_id'])
        batch_op.drop_column('version_id')
        batch_op.drop_column('effective_from')
    with op.batch_alter_table('price_list_version_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_list_version_row_version_id'))
        batch_op.drop_index(batch_op.f('ix_price_list_version_row_resource_id'))
        batch_op.drop_index(batch_op.f('ix_price_list_version_row_plan_term_id'))
    op.drop_table('price_list_version_row')
    with op.batch_alter_table('price_list_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_list_version_state'))
        batch_op.drop_index(batch_op.f('ix_price_list_version_price_list_id'))
    op.drop_table('price_list_version')
