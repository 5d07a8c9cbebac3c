"""participatory budgets: the frozen electorate, secret papers, results per pot and their approval

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:51:27.877246

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pb_papers',
    sa.Column('tracker', sa.String(length=64), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('pot', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.CheckConstraint('(district_id IS NULL AND pot = 0) OR (district_id IS NOT NULL AND pot = district_id)', name=op.f('ck_pb_papers_pot')),
    sa.ForeignKeyConstraint(['district_id'], ['pb_districts.id'], name=op.f('fk_pb_papers_district_id_pb_districts')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_papers_process_id_pb_processes')),
    sa.PrimaryKeyConstraint('tracker', name=op.f('pk_pb_papers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pb_papers', schema=None) as batch_op:
        batch_op.create_index('ix_pb_papers_process_pot', ['process_id', 'pot'], unique=False)

    op.create_table('pb_participations',
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('pot', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(district_id IS NULL AND pot = 0) OR (district_id IS NOT NULL AND pot = district_id)', name=op.f('ck_pb_participations_pot')),
    sa.ForeignKeyConstraint(['district_id'], ['pb_districts.id'], name=op.f('fk_pb_participations_district_id_pb_districts')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_pb_participations_member_id_members')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_participations_process_id_pb_processes')),
    sa.PrimaryKeyConstraint('process_id', 'member_id', 'pot', name=op.f('pk_pb_participations')),
    sqlite_with_rowid=False
    )
    op.create_table('pb_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('pot', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('papers', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(district_id IS NULL AND pot = 0) OR (district_id IS NOT NULL AND pot = district_id)', name=op.f('ck_pb_results_pot')),
    sa.ForeignKeyConstraint(['district_id'], ['pb_districts.id'], name=op.f('fk_pb_results_district_id_pb_districts')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_results_process_id_pb_processes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_results')),
    sa.UniqueConstraint('process_id', 'pot', name=op.f('uq_pb_results_process_id'))
    )
    with op.batch_alter_table('pb_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_results_process_id'), ['process_id'], unique=False)

    op.create_table('pb_voters',
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('district_chosen_at', sa.DateTime(), nullable=True),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['pb_districts.id'], name=op.f('fk_pb_voters_district_id_pb_districts')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_pb_voters_member_id_members')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_voters_process_id_pb_processes')),
    sa.PrimaryKeyConstraint('process_id', 'member_id', name=op.f('pk_pb_voters'))
    )
    with op.batch_alter_table('pb_processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('result_approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_meta', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pb_processes_result_approved_by_id_members'), 'members', ['result_approved_by_id'], ['id'])

    with op.batch_alter_table('pb_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_pb_projects_decision_id'), ['decision_id'])
        batch_op.create_foreign_key(batch_op.f('fk_pb_projects_decision_id_decisions'), 'decisions', ['decision_id'], ['id'])



def downgrade():
    with op.batch_alter_table('pb_projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pb_projects_decision_id_decisions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_pb_projects_decision_id'), type_='unique')
        batch_op.drop_column('decision_id')

    with op.batch_alter_table('pb_processes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pb_processes_result_approved_by_id_members'), type_='foreignkey')
        batch_op.drop_column('source_meta')
        batch_op.drop_column('result_approved_by_id')
        batch_op.drop_column('result_approved_at')

    op.drop_table('pb_voters')
    with op.batch_alter_table('pb_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_results_process_id'))

    op.drop_table('pb_results')
    op.drop_table('pb_participations')
    with op.batch_alter_table('pb_papers', schema=None) as batch_op:
        batch_op.drop_index('ix_pb_papers_process_pot')

    op.drop_table('pb_papers')
