"""Voting at the same time, committed for real in a PostgreSQL database made for
each test: one voter's papers sent at once in one pot (a double click, two
tabs) leave one paper and one participation; district choices sent at once
leave one district. A refused attempt is refused with a domain error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from budgets.voting import services as voting
from budgets.voting.models import CITY_WIDE, Paper, Participation, Voter
from governance.extensions import db
from governance.models import Member
from tests.fixtures.budgets import make_pb_body
from tests.fixtures.concurrency import race
from tests.fixtures.factories import NOW
from tests.fixtures.pb_voting import Pj, make_voting

pytestmark = pytest.mark.postgres

ATTEMPTS = 30


def committed_voting(app, **spec):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        pb = make_pb_body()
        v = make_voting(pb, {"P": Pj(None, 50_000), "A": Pj("Centro", 50_000)}, **spec)
        db.session.commit()
        ids = (
            v.process.id,
            pb.members[0].id,
            {key: project.id for key, project in v.projects.items()},
            {d.name: d.id for d in v.process.districts},
        )
        db.session.remove()
    return ids


def test_one_voter_sending_many_papers_at_once_leaves_one(own_migrated_app):
    app = own_migrated_app
    process_id, member_id, projects, _ = committed_voting(app)
    trackers: list[str] = []

    def attempt():
        receipt = voting.cast_paper(
            db.session.get(Member, member_id),
            process_id,
            pot=CITY_WIDE,
            marks={projects["P"]: 1},
            now=NOW,
        )
        trackers.append(receipt.tracker)

    wins, errors = race(app, [attempt for _ in range(ATTEMPTS)])

    assert errors == []
    assert wins == 1
    with app.app_context():
        papers = list(db.session.execute(sa.select(Paper)).scalars())
        participations = list(db.session.execute(sa.select(Participation)).scalars())
        db.session.remove()
    assert [paper.tracker for paper in papers] == trackers[-1:]
    assert [(p.member_id, p.pot) for p in participations] == [(member_id, CITY_WIDE)]


def test_district_choices_sent_at_once_leave_one(own_migrated_app):
    app = own_migrated_app
    process_id, member_id, _, districts = committed_voting(app)
    choices = [districts["Centro"], districts["Norte"]] * 5

    def choose(district_id: int):
        return lambda: voting.choose_district(
            db.session.get(Member, member_id), process_id, district_id, now=NOW
        )

    wins, errors = race(app, [choose(district_id) for district_id in choices])

    assert errors == []
    assert wins == 1
    with app.app_context():
        voter = db.session.get(Voter, (process_id, member_id))
        assert voter is not None and voter.district_id in districts.values()
        db.session.remove()


def test_papers_are_rewritten_in_tracker_order(own_migrated_app):
    app = own_migrated_app
    process_id, _, projects, _ = committed_voting(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        voters = db.session.execute(
            sa.select(Voter.member_id).where(Voter.process_id == process_id)
        ).scalars()
        for member_id in voters:
            voting.cast_paper(
                db.session.get(Member, member_id),
                process_id,
                pot=CITY_WIDE,
                marks={projects["P"]: 1},
                now=NOW,
            )
            db.session.commit()
        voting.rewrite_papers_in_tracker_order(process_id)
        db.session.commit()
        stored = list(db.session.execute(sa.text("SELECT tracker FROM pb_papers")).scalars())
        transactions = db.session.execute(
            sa.text("SELECT count(DISTINCT xmin::text) FROM pb_papers")
        ).scalar_one()
        db.session.remove()
    assert len(stored) == 5
    assert stored == sorted(stored)
    assert transactions == 1
