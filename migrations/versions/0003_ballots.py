"""ballots: ballots, frozen electorates, nominal votes, secret participations and
papers (unlinkable), proxies, digest notices, decisions (append-only); bodies get a
proxy limit, members a ballot-mail preference

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 23:48:07.073018

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def refuse_changes_to_decisions():
    # A decision is never edited: a later one supersedes it. The function
    # asamblea_refuse_change() belongs to revision 0001.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
            "FOR EACH ROW EXECUTE FUNCTION asamblea_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
            "FOR EACH STATEMENT EXECUTE FUNCTION asamblea_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER decisions_no_{event.lower()} BEFORE {event} ON decisions "
                "BEGIN SELECT RAISE(ABORT, 'decisions rows are append-only'); END"
            )


def allow_changes_to_decisions():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decisions_append_only ON decisions")
        op.execute("DROP TRIGGER IF EXISTS decisions_no_truncate ON decisions")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS decisions_no_{event}")


def upgrade():
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('max_score', sa.Integer(), nullable=True),
    sa.Column('quorum_num', sa.Integer(), nullable=False),
    sa.Column('quorum_den', sa.Integer(), nullable=False),
    sa.Column('threshold_num', sa.Integer(), nullable=True),
    sa.Column('threshold_den', sa.Integer(), nullable=True),
    sa.Column('threshold_base', sa.Enum('votes', 'electorate', name='thresholdbase', native_enum=False, length=32), nullable=False),
    sa.Column('is_strict', sa.Boolean(), nullable=False),
    sa.Column('mode', sa.Enum('secret', 'nominal', name='ballotmode', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.Enum('scheduled', 'open', 'closed', 'cancelled', name='ballotstate', native_enum=False, length=32), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('electorate_weight', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('result_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("method IN ('yes-no-abstain', 'plurality', 'approval', 'score', 'schulze', 'instant-runoff')", name=op.f('ck_ballots_method')),
    sa.CheckConstraint("mode IN ('secret', 'nominal')", name=op.f('ck_ballots_mode')),
    sa.CheckConstraint("state IN ('scheduled', 'open', 'closed', 'cancelled')", name=op.f('ck_ballots_state')),
    sa.CheckConstraint("threshold_base IN ('votes', 'electorate')", name=op.f('ck_ballots_threshold_base')),
    sa.CheckConstraint('(threshold_num IS NULL AND threshold_den IS NULL) OR (threshold_den > 0 AND threshold_num >= 0 AND threshold_num <= threshold_den)', name=op.f('ck_ballots_threshold')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_ballots_times')),
    sa.CheckConstraint('quorum_den > 0 AND quorum_num >= 0 AND quorum_num <= quorum_den', name=op.f('ck_ballots_quorum')),
    sa.ForeignKeyConstraint(['amendment_id'], ['proposal_amendments.id'], name=op.f('fk_ballots_amendment_id_proposal_amendments')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_ballots_body_id_bodies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_ballots_created_by_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_ballots_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots'))
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballots_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index('ix_ballots_state_closes_at', ['state', 'closes_at'], unique=False)
        batch_op.create_index('ix_ballots_state_opens_at', ['state', 'opens_at'], unique=False)

    op.create_table('ballot_electors',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight > 0', name=op.f('ck_ballot_electors_weight')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_electors_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_ballot_electors_member_id_members')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ballot_electors_organization_id_organizations')),
    sa.ForeignKeyConstraint(['seat_id'], ['seats.id'], name=op.f('fk_ballot_electors_seat_id_seats')),
    sa.PrimaryKeyConstraint('ballot_id', 'seat_id', name=op.f('pk_ballot_electors'))
    )
    with op.batch_alter_table('ballot_electors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_electors_member_id'), ['member_id'], unique=False)

    op.create_table('ballot_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('opened', 'reminder', 'result', name='noticeevent', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("event IN ('opened', 'reminder', 'result')", name=op.f('ck_ballot_notices_event')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_notices_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_ballot_notices_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_notices'))
    )
    with op.batch_alter_table('ballot_notices', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_notices_pending', ['member_id', 'sent_at'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.Column('result_hash', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_decisions_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_decisions_body_id_bodies')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_decisions_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['decisions.id'], name=op.f('fk_decisions_supersedes_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('ballot_id', name=op.f('uq_decisions_ballot_id')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_decisions_supersedes_id'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proxies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.Column('grantor_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('grantor_id <> holder_id', name=op.f('ck_proxies_not_self')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_proxies_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_proxies_body_id_bodies')),
    sa.ForeignKeyConstraint(['grantor_id'], ['members.id'], name=op.f('fk_proxies_grantor_id_members')),
    sa.ForeignKeyConstraint(['holder_id'], ['members.id'], name=op.f('fk_proxies_holder_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxies'))
    )
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxies_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxies_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index('uq_proxies_active_ballot', ['ballot_id', 'grantor_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL AND ballot_id IS NOT NULL'), postgresql_where=sa.text('revoked_at IS NULL AND ballot_id IS NOT NULL'))
        batch_op.create_index('uq_proxies_active_body', ['body_id', 'grantor_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL AND ballot_id IS NULL'), postgresql_where=sa.text('revoked_at IS NULL AND ballot_id IS NULL'))

    op.create_table('secret_papers',
    sa.Column('tracker', sa.String(length=64), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Text(), nullable=False),
    sa.CheckConstraint('weight > 0', name=op.f('ck_secret_papers_weight')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_secret_papers_ballot_id_ballots')),
    sa.PrimaryKeyConstraint('tracker', name=op.f('pk_secret_papers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('secret_papers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_papers_ballot_id'), ['ballot_id'], unique=False)

    op.create_table('nominal_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Text(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('cast_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id', 'seat_id'], ['ballot_electors.ballot_id', 'ballot_electors.seat_id'], name=op.f('fk_nominal_votes_ballot_id_ballot_electors')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_nominal_votes_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['cast_by_id'], ['members.id'], name=op.f('fk_nominal_votes_cast_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominal_votes')),
    sa.UniqueConstraint('ballot_id', 'seat_id', name=op.f('uq_nominal_votes_ballot_id'))
    )
    op.create_table('secret_participations',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id', 'seat_id'], ['ballot_electors.ballot_id', 'ballot_electors.seat_id'], name=op.f('fk_secret_participations_ballot_id_ballot_electors')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_secret_participations_ballot_id_ballots')),
    sa.ForeignKeyConstraint(['cast_by_id'], ['members.id'], name=op.f('fk_secret_participations_cast_by_id_members')),
    sa.PrimaryKeyConstraint('ballot_id', 'seat_id', name=op.f('pk_secret_participations')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_proxies', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_bodies_max_proxies'), 'max_proxies >= 0')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ballot_mail', sa.Enum('immediate', 'daily', 'none', name='ballotmail', native_enum=False, length=32), server_default='immediate', nullable=False))
        batch_op.add_column(sa.Column('last_digest_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_members_ballot_mail'), "ballot_mail IN ('immediate', 'daily', 'none')"
        )

    # Amendments may now be decided by a ballot of the body.
    with op.batch_alter_table('proposal_amendments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_amendments_state'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_proposal_amendments_state'),
            "state IN ('open', 'in-ballot', 'accepted', 'rejected', 'withdrawn')",
        )

    refuse_changes_to_decisions()


def downgrade():
    allow_changes_to_decisions()
    op.execute("UPDATE proposal_amendments SET state = 'open' WHERE state = 'in-ballot'")
    with op.batch_alter_table('proposal_amendments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_amendments_state'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_proposal_amendments_state'),
            "state IN ('open', 'accepted', 'rejected', 'withdrawn')",
        )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_ballot_mail'), type_='check')
        batch_op.drop_column('last_digest_at')
        batch_op.drop_column('ballot_mail')

    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bodies_max_proxies'), type_='check')
        batch_op.drop_column('max_proxies')

    op.drop_table('secret_participations')
    op.drop_table('nominal_votes')
    with op.batch_alter_table('secret_papers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_papers_ballot_id'))

    op.drop_table('secret_papers')
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.drop_index('uq_proxies_active_body', sqlite_where=sa.text('revoked_at IS NULL AND ballot_id IS NULL'), postgresql_where=sa.text('revoked_at IS NULL AND ballot_id IS NULL'))
        batch_op.drop_index('uq_proxies_active_ballot', sqlite_where=sa.text('revoked_at IS NULL AND ballot_id IS NOT NULL'), postgresql_where=sa.text('revoked_at IS NULL AND ballot_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_proxies_holder_id'))
        batch_op.drop_index(batch_op.f('ix_proxies_body_id'))

    op.drop_table('proxies')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_body_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('ballot_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_notices_pending')

    op.drop_table('ballot_notices')
    with op.batch_alter_table('ballot_electors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_electors_member_id'))

    op.drop_table('ballot_electors')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index('ix_ballots_state_opens_at')
        batch_op.drop_index('ix_ballots_state_closes_at')
        batch_op.drop_index(batch_op.f('ix_ballots_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_ballots_body_id'))

    op.drop_table('ballots')
