"""Two approvals of one result at once, committed for real in a PostgreSQL database
made for the test: the process's row lock lets one approve; the other is told
the result is already approved, and each selected project has one decision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from budgets.results import services as results
from governance.disbursements.models import DisbursementPlan
from governance.extensions import db
from governance.models import AuditEntry, Decision, Member
from tests.fixtures.budgets import make_pb_body
from tests.fixtures.concurrency import race
from tests.fixtures.factories import NOW
from tests.fixtures.pb_results import TWO_DISTRICTS, make_voting_process, vote_two_districts
from tests.fixtures.pb_results import count as count_process

pytestmark = pytest.mark.postgres


def test_two_approvals_at_once_make_each_decision_once(own_migrated_app):
    app = own_migrated_app
    with app.test_request_context(headers={"Accept-Language": "en"}):
        pb = make_pb_body()
        voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
        vote_two_districts(voting)
        count_process(voting)
        db.session.commit()
        process_id, actor_ids = voting.process.id, [pb.chair.id, pb.secretary.id] * 2
        db.session.remove()

    def approve(actor_id: int):
        return lambda: results.approve_result(db.session.get(Member, actor_id), process_id, now=NOW)

    wins, errors = race(app, [approve(actor_id) for actor_id in actor_ids])

    assert errors == []
    assert wins == 1
    with app.app_context():

        def how_many(model, *where) -> int:
            query = sa.select(sa.func.count()).select_from(model).where(*where)
            return db.session.execute(query).scalar_one()

        counts = (
            how_many(Decision),
            how_many(DisbursementPlan),
            how_many(AuditEntry, AuditEntry.action == "pb.result_approved"),
        )
        db.session.remove()
    assert counts == (5, 5, 1)
