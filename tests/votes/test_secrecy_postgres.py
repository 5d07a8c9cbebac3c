"""PostgreSQL keeps, on every row, the id of the transaction that wrote it
(``xmin``); a vote's paper and participation are written together, so until the
close they share it. Closing writes the papers again: afterwards no paper shares
a transaction id with any participation, and they sit in tracker order."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from governance.extensions import db
from tests.fixtures.ballots import close, make_voting_body, open_now, vote

pytestmark = pytest.mark.postgres


def shared_transaction_ids(ballot_id: int) -> int:
    return db.session.execute(
        sa.text(
            "SELECT count(*) FROM secret_papers p JOIN secret_participations s "
            "ON p.xmin::text = s.xmin::text "
            "WHERE p.ballot_id = :ballot AND s.ballot_id = :ballot"
        ),
        {"ballot": ballot_id},
    ).scalar_one()


def test_after_the_close_no_paper_shares_a_transaction_with_a_participation(request_context):
    vb = make_voting_body((1, 1, 1, 2))
    ballot = open_now(vb.chair, vb.body, method="plurality", options=["a", "b", "c"])
    for voter, choice in zip(vb.voters, "abca", strict=True):
        vote(voter, ballot, choice)
    assert shared_transaction_ids(ballot.id) > 0  # the link this test is about
    close(ballot)
    assert shared_transaction_ids(ballot.id) == 0
    stored = (
        db.session.execute(
            sa.text("SELECT tracker FROM secret_papers WHERE ballot_id = :ballot"),
            {"ballot": ballot.id},
        )
        .scalars()
        .all()
    )
    assert len(stored) == 5 and stored == sorted(stored)
    assert ballot.result["counts"] == {"a": 3, "b": 1, "c": 1}
