"""admission criteria as versions: the rows already there become version 1

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 00:40:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('criteria_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('threshold_num', sa.Integer(), nullable=False),
    sa.Column('threshold_den', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('effective_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_criteria_versions_number')),
    sa.CheckConstraint('threshold_den > 0 AND threshold_num > 0 AND threshold_num <= threshold_den', name=op.f('ck_criteria_versions_threshold')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_criteria_versions_decision_id_decisions')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_criteria_versions_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria_versions')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_criteria_versions_decision_id')),
    sa.UniqueConstraint('number', name=op.f('uq_criteria_versions_number'))
    )
    with op.batch_alter_table('admission_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        for language in ('es', 'pt_br', 'en'):
            batch_op.add_column(
                sa.Column(f'evidence_{language}', sa.Text(), nullable=False, server_default='')
            )

    # The criteria already there (the network's first set) become version 1.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM admission_criteria")).scalar():
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        bind.execute(
            sa.text(
                "INSERT INTO criteria_versions (number, threshold_num, threshold_den, effective_at) "
                "VALUES (1, 2, 3, :now)"
            ),
            {"now": now},
        )
        version_id = bind.execute(
            sa.text("SELECT id FROM criteria_versions WHERE number = 1")
        ).scalar_one()
        bind.execute(sa.text("UPDATE admission_criteria SET version_id = :v"), {"v": version_id})

    with op.batch_alter_table('admission_criteria', schema=None) as batch_op:
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        for language in ('es', 'pt_br', 'en'):
            batch_op.alter_column(f'evidence_{language}', existing_type=sa.Text(), server_default=None)
        batch_op.drop_constraint(batch_op.f('uq_admission_criteria_position'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_admission_criteria_version_id'), ['version_id', 'position'])
        batch_op.create_index(batch_op.f('ix_admission_criteria_version_id'), ['version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_admission_criteria_version_id_criteria_versions'), 'criteria_versions', ['version_id'], ['id'])


def downgrade():
    # Only the first version fits the older schema (one set, positions unique).
    bind = op.get_bind()
    later = bind.execute(sa.text("SELECT count(*) FROM criteria_versions WHERE number > 1")).scalar()
    if later:
        raise RuntimeError(
            f"{later} later version(s) of the admission criteria exist; "
            "the schema before 0010 holds only one set"
        )
    with op.batch_alter_table('admission_criteria', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_admission_criteria_version_id_criteria_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_admission_criteria_version_id'))
        batch_op.drop_constraint(batch_op.f('uq_admission_criteria_version_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_admission_criteria_position'), ['position'])
        for language in ('es', 'pt_br', 'en'):
            batch_op.drop_column(f'evidence_{language}')
        batch_op.drop_column('version_id')
    op.drop_table('criteria_versions')
