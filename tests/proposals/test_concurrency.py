"""Races at the support threshold and on an amendment's decision, with real
commits on PostgreSQL: each attempt runs in its own thread, app context and
transaction, all released together by a barrier."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from governance.extensions import db
from governance.models import AuditEntry, Member
from proposals import deliberation, services
from proposals.models import Amendment, AmendmentState, ProposalState, Support
from tests.fixtures.concurrency import race
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import make_amendment, make_proposal, make_proposal_body

pytestmark = pytest.mark.postgres


def _state_changes(proposal_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "proposal.state", AuditEntry.object_id == str(proposal_id))
    ).scalar_one()


@pytest.mark.parametrize("is_loaded_first", [False, True])
def test_the_threshold_is_crossed_once(own_migrated_app, is_loaded_first):
    app = own_migrated_app
    with app.test_request_context():
        body = make_proposal_body(support_threshold_count=3)
        author = make_member()
        make_seat(body, author)
        voters = [make_member() for _ in range(6)]
        for voter in voters:
            make_seat(body, voter)
        proposal = make_proposal(author, body, state=ProposalState.PUBLISHED)
        for voter in voters[:2]:
            deliberation.add_support(voter, proposal.id, now=NOW)
        proposal_id, voter_ids = proposal.id, [v.id for v in voters[2:]]
        db.session.commit()

    def support(voter_id: int) -> Callable[[], None]:
        return lambda: deliberation.add_support(
            db.session.get(Member, voter_id), proposal_id, now=NOW
        )

    held = []  # the session holds loaded objects weakly; a view holds its own

    def load() -> None:  # as a view does for its policy check, before the others commit
        if is_loaded_first:
            held.append(services.get_proposal(proposal_id))

    wins, errors = race(app, [support(voter_id) for voter_id in voter_ids], prepare=load)

    assert errors == []
    assert wins == 1
    with app.app_context():
        supports = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Support)
            .where(Support.proposal_id == proposal_id)
        ).scalar_one()
        assert supports == 3
        assert services.get_proposal(proposal_id).state is ProposalState.READY
        assert _state_changes(proposal_id) == 2  # published, then ready once


@pytest.mark.parametrize("accept", [True, False])
def test_an_amendment_is_decided_once(own_migrated_app, accept):
    app = own_migrated_app
    with app.test_request_context():
        body = make_proposal_body()
        authors = [make_member() for _ in range(4)]
        proposal = make_proposal(
            authors[0], body, state=ProposalState.PUBLISHED, coauthors=tuple(authors[1:])
        )
        amendment_id = make_amendment(make_member(), proposal).id
        author_ids = [a.id for a in authors]
        db.session.commit()

    def decide(author_id: int) -> Callable[[], None]:
        def attempt() -> None:
            deliberation.decide_amendment(
                db.session.get(Member, author_id),
                amendment_id,
                accept=accept,
                reason=f"Decided by {author_id}",
                now=NOW,
            )

        return attempt

    wins, errors = race(app, [decide(author_id) for author_id in author_ids])

    assert errors == []
    assert wins == 1
    with app.app_context():
        amendment = db.session.get(Amendment, amendment_id)
        expected = AmendmentState.ACCEPTED if accept else AmendmentState.REJECTED
        assert amendment.state is expected
        decisions = db.session.execute(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "amendment.decided")
        ).scalar_one()
        assert decisions == 1
        assert services.get_proposal(amendment.proposal_id).current_revision == (2 if accept else 1)
