"""participatory budgets: processes, districts, projects, reviewers and reviews

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# A review is never edited or removed: a new one supersedes it. (name, event)
GUARDS = (("pb_reviews_no_update", "UPDATE"), ("pb_reviews_no_delete", "DELETE"))


def refuse_changes():
    # asamblea_refuse_change() belongs to revision 0001.
    if op.get_bind().dialect.name == "postgresql":
        for name, event in GUARDS:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON pb_reviews FOR EACH ROW "
                "EXECUTE FUNCTION asamblea_refuse_change()"
            )
        op.execute(
            "CREATE TRIGGER pb_reviews_no_truncate BEFORE TRUNCATE ON pb_reviews "
            "FOR EACH STATEMENT EXECUTE FUNCTION asamblea_refuse_change()"
        )
    else:
        for name, event in GUARDS:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON pb_reviews "
                "BEGIN SELECT RAISE(ABORT, 'pb_reviews rows are append-only'); END"
            )


def allow_changes():
    is_postgres = op.get_bind().dialect.name == "postgresql"
    for name, _event in (*GUARDS, ("pb_reviews_no_truncate", "TRUNCATE")):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON pb_reviews" if is_postgres else ""))


def upgrade():
    op.create_table('pb_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=16), nullable=False),
    sa.Column('fund_account', sa.String(length=120), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=True),
    sa.Column('ballot_form', sa.Enum('approval', 'knapsack', 'choose-1', 'cumulative', 'ordinal', name='ballotform', native_enum=False, length=32), nullable=False),
    sa.Column('min_projects', sa.Integer(), nullable=True),
    sa.Column('max_projects', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('max_ranks', sa.Integer(), nullable=True),
    sa.Column('result_approval', sa.Enum('body', 'automatic', name='resultapproval', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.Enum('draft', 'intake', 'review', 'voting', 'result', 'execution', 'closed', name='processstate', native_enum=False, length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('intake_ends_at', sa.DateTime(), nullable=True),
    sa.Column('review_ends_at', sa.DateTime(), nullable=True),
    sa.Column('voting_ends_at', sa.DateTime(), nullable=True),
    sa.Column('result_ends_at', sa.DateTime(), nullable=True),
    sa.Column('execution_ends_at', sa.DateTime(), nullable=True),
    sa.Column('phase_changed_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("ballot_form <> 'cumulative' OR (points IS NOT NULL AND points > 0)", name=op.f('ck_pb_processes_points')),
    sa.CheckConstraint("ballot_form <> 'ordinal' OR (max_ranks IS NOT NULL AND max_ranks > 0)", name=op.f('ck_pb_processes_max_ranks')),
    sa.CheckConstraint("ballot_form IN ('approval', 'knapsack', 'choose-1', 'cumulative', 'ordinal')", name=op.f('ck_pb_processes_ballot_form')),
    sa.CheckConstraint("result_approval IN ('body', 'automatic')", name=op.f('ck_pb_processes_result_approval')),
    sa.CheckConstraint("rule <> 'greedy-threshold' OR (min_score IS NOT NULL AND min_score >= 0)", name=op.f('ck_pb_processes_min_score')),
    sa.CheckConstraint("rule IN ('greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'mes-add1', 'mes-add1-greedy', 'phragmen')", name=op.f('ck_pb_processes_rule')),
    sa.CheckConstraint("state IN ('draft', 'intake', 'review', 'voting', 'result', 'execution', 'closed')", name=op.f('ck_pb_processes_state')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_pb_processes_amount')),
    sa.CheckConstraint('max_projects IS NULL OR (max_projects > 0 AND (min_projects IS NULL OR max_projects >= min_projects))', name=op.f('ck_pb_processes_max_projects')),
    sa.CheckConstraint('min_projects IS NULL OR min_projects >= 0', name=op.f('ck_pb_processes_min_projects')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_pb_processes_body_id_bodies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_pb_processes_created_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_processes'))
    )
    with op.batch_alter_table('pb_processes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_processes_body_id'), ['body_id'], unique=False)
        batch_op.create_index('ix_pb_processes_state', ['state'], unique=False)

    op.create_table('pb_districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pb_districts_amount')),
    sa.CheckConstraint('position > 0', name=op.f('ck_pb_districts_position')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_districts_process_id_pb_processes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_districts')),
    sa.UniqueConstraint('process_id', 'name', name=op.f('uq_pb_districts_process_id'))
    )
    with op.batch_alter_table('pb_districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_districts_process_id'), ['process_id'], unique=False)

    op.create_table('pb_reviewers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=False),
    sa.Column('appointed_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['members.id'], name=op.f('fk_pb_reviewers_appointed_by_id_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_pb_reviewers_member_id_members')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_reviewers_process_id_pb_processes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_reviewers'))
    )
    with op.batch_alter_table('pb_reviewers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_reviewers_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pb_reviewers_process_id'), ['process_id'], unique=False)

    op.create_table('pb_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('cost > 0', name=op.f('ck_pb_projects_cost')),
    sa.ForeignKeyConstraint(['district_id'], ['pb_districts.id'], name=op.f('fk_pb_projects_district_id_pb_districts')),
    sa.ForeignKeyConstraint(['process_id'], ['pb_processes.id'], name=op.f('fk_pb_projects_process_id_pb_processes')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_pb_projects_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_projects')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_pb_projects_proposal_id'))
    )
    with op.batch_alter_table('pb_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_projects_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pb_projects_process_id'), ['process_id'], unique=False)

    op.create_table('pb_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('is_feasible', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('revised_cost', sa.BigInteger(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("is_feasible OR reason <> ''", name=op.f('ck_pb_reviews_reason_when_not_feasible')),
    sa.CheckConstraint('revised_cost IS NULL OR (revised_cost > 0 AND is_feasible)', name=op.f('ck_pb_reviews_revised_cost')),
    sa.ForeignKeyConstraint(['project_id'], ['pb_projects.id'], name=op.f('fk_pb_reviews_project_id_pb_projects')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['members.id'], name=op.f('fk_pb_reviews_reviewer_id_members')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['pb_reviews.id'], name=op.f('fk_pb_reviews_supersedes_id_pb_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pb_reviews')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_pb_reviews_supersedes_id'))
    )
    with op.batch_alter_table('pb_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_reviews_project_id'), ['project_id'], unique=False)

    refuse_changes()


def downgrade():
    allow_changes()
    with op.batch_alter_table('pb_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_reviews_project_id'))

    op.drop_table('pb_reviews')
    with op.batch_alter_table('pb_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_projects_process_id'))
        batch_op.drop_index(batch_op.f('ix_pb_projects_district_id'))

    op.drop_table('pb_projects')
    with op.batch_alter_table('pb_reviewers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_reviewers_process_id'))
        batch_op.drop_index(batch_op.f('ix_pb_reviewers_member_id'))

    op.drop_table('pb_reviewers')
    with op.batch_alter_table('pb_districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_districts_process_id'))

    op.drop_table('pb_districts')
    with op.batch_alter_table('pb_processes', schema=None) as batch_op:
        batch_op.drop_index('ix_pb_processes_state')
        batch_op.drop_index(batch_op.f('ix_pb_processes_body_id'))

    op.drop_table('pb_processes')
