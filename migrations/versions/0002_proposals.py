"""proposals: proposals, revisions, authors, comments, flags, amendments, supports,
follows, attachments; bodies get a support threshold and a private flag; members get a
session version (a password reset logs out every session)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:03:42.906496

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'ready', 'in-ballot', 'approved', 'rejected', 'withdrawn', 'archived', name='proposalstate', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('ready_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('supports_close_at', sa.DateTime(), nullable=True),
    sa.Column('current_revision', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('motion', 'fund-project', 'surplus-split', 'pb-project', 'criteria-change', 'admission')", name=op.f('ck_proposals_kind')),
    sa.CheckConstraint("state IN ('draft', 'published', 'ready', 'in-ballot', 'approved', 'rejected', 'withdrawn', 'archived')", name=op.f('ck_proposals_state')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_proposals_body_id_bodies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_proposals_created_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_body_state', ['body_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_state'), ['state'], unique=False)

    op.create_table('proposal_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'accepted', 'rejected', 'withdrawn', name='amendmentstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=True),
    sa.Column('resulting_revision', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('open', 'accepted', 'rejected', 'withdrawn')", name=op.f('ck_proposal_amendments_state')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_proposal_amendments_author_id_members')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['members.id'], name=op.f('fk_proposal_amendments_decided_by_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_amendments_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_amendments'))
    )
    with op.batch_alter_table('proposal_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_amendments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_attachments_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['members.id'], name=op.f('fk_proposal_attachments_uploaded_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_attachments'))
    )
    with op.batch_alter_table('proposal_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_attachments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_authors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_proposal_authors_member_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_authors_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_authors')),
    sa.UniqueConstraint('proposal_id', 'member_id', name=op.f('uq_proposal_authors_proposal_id'))
    )
    with op.batch_alter_table('proposal_authors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_authors_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_authors_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('in-favour', 'against', 'neutral', name='stance', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('is_hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_reason', sa.String(length=300), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("stance IN ('in-favour', 'against', 'neutral')", name=op.f('ck_proposal_comments_stance')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_proposal_comments_author_id_members')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['members.id'], name=op.f('fk_proposal_comments_hidden_by_id_members')),
    sa.ForeignKeyConstraint(['parent_id'], ['proposal_comments.id'], name=op.f('fk_proposal_comments_parent_id_proposal_comments')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_comments_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comments'))
    )
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_comments_proposal_id', ['proposal_id', 'id'], unique=False)

    op.create_table('proposal_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_proposal_follows_member_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_follows_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_follows')),
    sa.UniqueConstraint('proposal_id', 'member_id', name=op.f('uq_proposal_follows_proposal_id'))
    )
    with op.batch_alter_table('proposal_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_follows_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_follows_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_proposal_revisions_number')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_proposal_revisions_author_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_revisions_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_revisions')),
    sa.UniqueConstraint('proposal_id', 'number', name=op.f('uq_proposal_revisions_proposal_id'))
    )
    op.create_table('proposal_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_proposal_supports_member_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_supports_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_supports')),
    sa.UniqueConstraint('proposal_id', 'member_id', name=op.f('uq_proposal_supports_proposal_id'))
    )
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_supports_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_comment_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['proposal_comments.id'], name=op.f('fk_proposal_comment_flags_comment_id_proposal_comments')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_proposal_comment_flags_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comment_flags')),
    sa.UniqueConstraint('comment_id', 'member_id', name=op.f('uq_proposal_comment_flags_comment_id'))
    )
    with op.batch_alter_table('proposal_comment_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comment_flags_comment_id'), ['comment_id'], unique=False)

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_private', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('support_threshold_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('support_threshold_percent', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'threshold_count', 'support_threshold_count IS NULL OR support_threshold_count > 0')
        batch_op.create_check_constraint(
            'threshold_percent',
            'support_threshold_percent IS NULL OR '
            '(support_threshold_percent > 0 AND support_threshold_percent <= 100)')
        batch_op.add_column(sa.Column('support_period_days', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'support_period', 'support_period_days IS NULL OR support_period_days > 0')



def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bodies_support_period'), type_='check')
        batch_op.drop_column('support_period_days')
        batch_op.drop_constraint(batch_op.f('ck_bodies_threshold_percent'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_bodies_threshold_count'), type_='check')
        batch_op.drop_column('support_threshold_percent')
        batch_op.drop_column('support_threshold_count')
        batch_op.drop_column('is_private')

    with op.batch_alter_table('proposal_comment_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comment_flags_comment_id'))

    op.drop_table('proposal_comment_flags')
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_supports_proposal_id'))

    op.drop_table('proposal_supports')
    op.drop_table('proposal_revisions')
    with op.batch_alter_table('proposal_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_follows_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_follows_member_id'))

    op.drop_table('proposal_follows')
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_comments_proposal_id')

    op.drop_table('proposal_comments')
    with op.batch_alter_table('proposal_authors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_authors_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_authors_member_id'))

    op.drop_table('proposal_authors')
    with op.batch_alter_table('proposal_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_attachments_proposal_id'))

    op.drop_table('proposal_attachments')
    with op.batch_alter_table('proposal_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_amendments_proposal_id'))

    op.drop_table('proposal_amendments')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_state'))
        batch_op.drop_index(batch_op.f('ix_proposals_kind'))
        batch_op.drop_index(batch_op.f('ix_proposals_created_by_id'))
        batch_op.drop_index('ix_proposals_body_state')

    op.drop_table('proposals')
