"""split ballots: a registered method's own settings on a ballot, and the "split" method

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 00:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OLD_METHODS = ("yes-no-abstain", "plurality", "approval", "score", "schulze", "instant-runoff")
NEW_METHODS = OLD_METHODS + ("split",)


def _method_check(methods):
    return "method IN (" + ", ".join(f"'{m}'" for m in methods) + ")"


def upgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method_settings', sa.JSON(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_ballots_method'), type_='check')
        batch_op.create_check_constraint('method', _method_check(NEW_METHODS))


def downgrade():
    # A split ballot cannot be kept by the older schema: refuse rather than lose it.
    bind = op.get_bind()
    splits = bind.execute(sa.text("SELECT count(*) FROM ballots WHERE method = 'split'")).scalar()
    if splits:
        raise RuntimeError(
            f"{splits} split ballot(s) exist; the schema before 0009 cannot hold them"
        )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ballots_method'), type_='check')
        batch_op.create_check_constraint('method', _method_check(OLD_METHODS))
        batch_op.drop_column('method_settings')
