"""Phases and reviews at the same time, committed for real in a PostgreSQL database
made for each test: the process's row lock moves it one phase for one click, and
the project's row lock keeps its reviews one chain (each supersedes the last)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from budgets import reviews, services
from budgets.models import Process, ProcessState, Review
from governance.extensions import db
from governance.models import AuditEntry, Member
from tests.fixtures.budgets import advance_to, make_pb_body, make_process, make_project
from tests.fixtures.concurrency import race
from tests.fixtures.factories import NOW, make_member

pytestmark = pytest.mark.postgres


def test_two_clicks_at_once_move_the_process_one_phase(own_migrated_app):
    app = own_migrated_app
    with app.test_request_context(headers={"Accept-Language": "en"}):
        pb = make_pb_body()
        process = make_process(pb, state=ProcessState.DRAFT)
        db.session.commit()
        process_id, actor_ids = process.id, [pb.chair.id, pb.secretary.id] * 2
        db.session.remove()

    def click(actor_id: int):
        return lambda: services.advance(
            db.session.get(Member, actor_id),
            process_id,
            now=NOW,
            expected=ProcessState.DRAFT,
        )

    wins, errors = race(app, [click(actor_id) for actor_id in actor_ids])

    assert errors == []
    assert wins == 1
    with app.app_context():
        state = db.session.execute(
            sa.select(Process.state).where(Process.id == process_id)
        ).scalar_one()
        moves = db.session.execute(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "pb.phase")
        ).scalar_one()
        db.session.remove()
    assert (state, moves) == (ProcessState.INTAKE, 1)


def test_reviews_at_once_each_supersede_the_one_before(own_migrated_app):
    app = own_migrated_app
    with app.test_request_context(headers={"Accept-Language": "en"}):
        pb = make_pb_body()
        process = make_process(pb)
        project = make_project(pb.members[0], process)
        advance_to(process, ProcessState.REVIEW, pb.secretary)
        reviewer_ids = []
        for n in range(4):
            member = make_member(name=f"Reviewer {n}")
            reviews.appoint_reviewer(pb.secretary, process.id, member.email, now=NOW)
            reviewer_ids.append(member.id)
        db.session.commit()
        project_id = project.id
        db.session.remove()

    def review(reviewer_id: int):
        return lambda: reviews.review_project(
            db.session.get(Member, reviewer_id),
            project_id,
            is_feasible=reviewer_id % 2 == 0,
            reason="Checked on site.",
            revised_cost=None,
            now=NOW,
        )

    wins, errors = race(app, [review(reviewer_id) for reviewer_id in reviewer_ids])

    assert errors == []
    assert wins == 4
    with app.app_context():
        rows = db.session.execute(
            sa.select(Review.id, Review.supersedes_id).order_by(Review.id)
        ).all()
        db.session.remove()
    assert [supersedes for _id, supersedes in rows] == [None, *(i for i, _s in rows[:-1])]
