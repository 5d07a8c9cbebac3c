"""membership applications: answers, milestones, evidence, assessments, questions,
private links, concerns, and the network's admission rules

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admission_rules',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('review_body_id', sa.Integer(), nullable=True),
    sa.Column('deciding_body_id', sa.Integer(), nullable=True),
    sa.Column('seat_body_id', sa.Integer(), nullable=True),
    sa.Column('national_currency', sa.String(length=16), nullable=True),
    sa.Column('national_credit_limit', sa.BigInteger(), nullable=False),
    sa.Column('social_currency', sa.String(length=16), nullable=True),
    sa.Column('social_credit_limit', sa.BigInteger(), nullable=False),
    sa.Column('status_link_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_admission_rules_singleton')),
    sa.CheckConstraint('national_credit_limit >= 0 AND social_credit_limit >= 0', name=op.f('ck_admission_rules_credit_limits')),
    sa.CheckConstraint('status_link_days BETWEEN 1 AND 365', name=op.f('ck_admission_rules_link_days')),
    sa.ForeignKeyConstraint(['deciding_body_id'], ['bodies.id'], name=op.f('fk_admission_rules_deciding_body_id_bodies')),
    sa.ForeignKeyConstraint(['review_body_id'], ['bodies.id'], name=op.f('fk_admission_rules_review_body_id_bodies')),
    sa.ForeignKeyConstraint(['seat_body_id'], ['bodies.id'], name=op.f('fk_admission_rules_seat_body_id_bodies')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['members.id'], name=op.f('fk_admission_rules_updated_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_rules'))
    )
    op.create_table('membership_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('cooperative', 'association', 'community-bank', 'family-unit', 'group', 'other', name='organizationkind', native_enum=False, length=32), nullable=False),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.Column('territory', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('delegate_name', sa.String(length=120), nullable=False),
    sa.Column('delegate_email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('criteria_version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('unconfirmed', 'submitted', 'in-review', 'in-vote', 'admitted', 'not-admitted', 'withdrawn', name='applicationstate', native_enum=False, length=32), nullable=False),
    sa.Column('deciding_body_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('cooperative', 'association', 'community-bank', 'family-unit', 'group', 'other')", name=op.f('ck_membership_applications_kind')),
    sa.CheckConstraint("language IN ('es', 'pt_BR', 'en')", name=op.f('ck_membership_applications_language')),
    sa.CheckConstraint("state IN ('unconfirmed', 'submitted', 'in-review', 'in-vote', 'admitted', 'not-admitted', 'withdrawn')", name=op.f('ck_membership_applications_state')),
    sa.ForeignKeyConstraint(['criteria_version_id'], ['criteria_versions.id'], name=op.f('fk_membership_applications_criteria_version_id_criteria_versions')),
    sa.ForeignKeyConstraint(['deciding_body_id'], ['bodies.id'], name=op.f('fk_membership_applications_deciding_body_id_bodies')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_membership_applications_organization_id_organizations')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_membership_applications_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_applications')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_membership_applications_proposal_id'))
    )
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_applications_contact_email'), ['contact_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_applications_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_applications_state'), ['state'], unique=False)

    op.create_table('admission_concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'in-vote', 'suspended', 'dismissed', name='concernstate', native_enum=False, length=32), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('open', 'in-vote', 'suspended', 'dismissed')", name=op.f('ck_admission_concerns_state')),
    sa.ForeignKeyConstraint(['criterion_id'], ['admission_criteria.id'], name=op.f('fk_admission_concerns_criterion_id_admission_criteria')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_admission_concerns_organization_id_organizations')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_admission_concerns_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['members.id'], name=op.f('fk_admission_concerns_raised_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_concerns')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_admission_concerns_proposal_id'))
    )
    with op.batch_alter_table('admission_concerns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admission_concerns_organization_id'), ['organization_id'], unique=False)

    op.create_table('application_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('declaration', sa.Text(), nullable=False),
    sa.Column('has_transition', sa.Boolean(), nullable=False),
    sa.Column('transition_plan', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['membership_applications.id'], name=op.f('fk_application_answers_application_id_membership_applications')),
    sa.ForeignKeyConstraint(['criterion_id'], ['admission_criteria.id'], name=op.f('fk_application_answers_criterion_id_admission_criteria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_answers')),
    sa.UniqueConstraint('application_id', 'criterion_id', name=op.f('uq_application_answers_application_id'))
    )
    op.create_table('application_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('confirm', 'status', name='linkpurpose', native_enum=False, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("purpose IN ('confirm', 'status')", name=op.f('ck_application_links_purpose')),
    sa.ForeignKeyConstraint(['application_id'], ['membership_applications.id'], name=op.f('fk_application_links_application_id_membership_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_application_links_token_hash'))
    )
    with op.batch_alter_table('application_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_links_application_id'), ['application_id'], unique=False)

    op.create_table('application_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('question', 'answer', name='messagekind', native_enum=False, length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'question' AND author_id IS NOT NULL AND question_id IS NULL) OR (kind = 'answer' AND author_id IS NULL AND question_id IS NOT NULL)", name=op.f('ck_application_messages_author')),
    sa.CheckConstraint("kind IN ('question', 'answer')", name=op.f('ck_application_messages_kind')),
    sa.ForeignKeyConstraint(['application_id'], ['membership_applications.id'], name=op.f('fk_application_messages_application_id_membership_applications')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_application_messages_author_id_members')),
    sa.ForeignKeyConstraint(['question_id'], ['application_messages.id'], name=op.f('fk_application_messages_question_id_application_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_messages'))
    )
    with op.batch_alter_table('application_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_messages_application_id'), ['application_id'], unique=False)

    op.create_table('admission_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('concern_id', sa.Integer(), nullable=True),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('meets', 'meets-with-transition', 'does-not-meet', name='verdict', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("verdict IN ('meets', 'meets-with-transition', 'does-not-meet')", name=op.f('ck_admission_assessments_verdict')),
    sa.CheckConstraint('(application_id IS NULL) <> (concern_id IS NULL)', name=op.f('ck_admission_assessments_application_or_concern')),
    sa.ForeignKeyConstraint(['application_id'], ['membership_applications.id'], name=op.f('fk_admission_assessments_application_id_membership_applications')),
    sa.ForeignKeyConstraint(['concern_id'], ['admission_concerns.id'], name=op.f('fk_admission_assessments_concern_id_admission_concerns')),
    sa.ForeignKeyConstraint(['criterion_id'], ['admission_criteria.id'], name=op.f('fk_admission_assessments_criterion_id_admission_criteria')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['members.id'], name=op.f('fk_admission_assessments_reviewer_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_assessments'))
    )
    with op.batch_alter_table('admission_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admission_assessments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admission_assessments_concern_id'), ['concern_id'], unique=False)

    op.create_table('application_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['application_answers.id'], name=op.f('fk_application_evidence_answer_id_application_answers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_evidence'))
    )
    with op.batch_alter_table('application_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_evidence_answer_id'), ['answer_id'], unique=False)

    op.create_table('application_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'done', 'late', name='milestonestatus', native_enum=False, length=32), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name=op.f('ck_application_milestones_done_on')),
    sa.CheckConstraint("status IN ('planned', 'done', 'late')", name=op.f('ck_application_milestones_status')),
    sa.ForeignKeyConstraint(['answer_id'], ['application_answers.id'], name=op.f('fk_application_milestones_answer_id_application_answers')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_application_milestones_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_milestones')),
    sa.UniqueConstraint('answer_id', 'position', name=op.f('uq_application_milestones_answer_id'))
    )
    with op.batch_alter_table('application_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_milestones_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_milestones_organization_id'))

    op.drop_table('application_milestones')
    with op.batch_alter_table('application_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_evidence_answer_id'))

    op.drop_table('application_evidence')
    with op.batch_alter_table('admission_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admission_assessments_concern_id'))
        batch_op.drop_index(batch_op.f('ix_admission_assessments_application_id'))

    op.drop_table('admission_assessments')
    with op.batch_alter_table('application_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_messages_application_id'))

    op.drop_table('application_messages')
    with op.batch_alter_table('application_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_links_application_id'))

    op.drop_table('application_links')
    op.drop_table('application_answers')
    with op.batch_alter_table('admission_concerns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admission_concerns_organization_id'))

    op.drop_table('admission_concerns')
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_applications_state'))
        batch_op.drop_index(batch_op.f('ix_membership_applications_name_key'))
        batch_op.drop_index(batch_op.f('ix_membership_applications_contact_email'))

    op.drop_table('membership_applications')
    op.drop_table('admission_rules')
