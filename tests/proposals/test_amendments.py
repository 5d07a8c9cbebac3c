"""Amendments: the authors accept (a new revision) or reject them, with a reason."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from proposals import deliberation, services
from proposals.kinds import clean_fund_project
from proposals.models import Amendment, AmendmentState, ProposalState
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import (
    MOTION_TEXT,
    exactly,
    fund_project_fields,
    last_audit,
    make_amendment,
    make_proposal,
    revisions_of,
    stored_rows,
    stored_state,
)

S = ProposalState
AT = NOW.replace(tzinfo=None)
AMENDED = "The assembly adopts this motion.\n\nIt takes effect next month."


@pytest.fixture
def proposal(cast):
    return make_proposal(cast.author, cast.body, state=S.PUBLISHED, coauthors=(cast.coauthor,))


def _stored(amendment) -> Amendment:
    return db.session.execute(
        sa.select(Amendment)
        .where(Amendment.id == amendment.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _decide(actor, amendment, *, accept=True, reason="Agreed in the meeting."):
    return deliberation.decide_amendment(actor, amendment.id, accept=accept, reason=reason, now=NOW)


def test_a_proposed_amendment_is_stored_open_on_the_current_revision(cast, proposal):
    amendment = make_amendment(cast.voters[0], proposal, explanation="  A month to prepare. ")
    stored = _stored(amendment)
    assert (stored.state, stored.base_revision, stored.text, stored.explanation) == (
        AmendmentState.OPEN,
        1,
        AMENDED,
        "A month to prepare.",
    )
    assert (stored.decided_by_id, stored.resulting_revision) == (None, None)
    assert last_audit().action == "amendment.proposed"


def test_accepting_makes_a_new_revision_with_the_amendment_text(cast):
    proposal = make_proposal(cast.author, cast.body, kind="fund-project", state=S.PUBLISHED)
    amendment = make_amendment(cast.voters[0], proposal)
    _decide(cast.author, amendment, reason="  Better.  ")
    first, second = revisions_of(proposal)
    assert (first.number, first.text) == (1, MOTION_TEXT)
    assert (second.number, second.title, second.text, second.author_id) == (
        2,
        first.title,
        AMENDED,
        cast.author.id,
    )
    assert second.fields == first.fields == clean_fund_project(fund_project_fields())
    assert second.note == f"Amendment {amendment.id} accepted"
    stored = _stored(amendment)
    assert (stored.state, stored.resulting_revision) == (AmendmentState.ACCEPTED, 2)
    assert (stored.decided_by_id, stored.decided_at, stored.decision_reason) == (
        cast.author.id,
        AT,
        "Better.",
    )
    assert proposal.current_revision == 2
    entry = last_audit()
    assert (entry.action, entry.actor_id) == ("amendment.decided", cast.author.id)
    assert json.loads(entry.data) == {"state": "accepted", "reason": "Better."}


def test_rejecting_keeps_the_text(cast, proposal):
    amendment = make_amendment(cast.voters[0], proposal)
    _decide(cast.coauthor, amendment, accept=False, reason="Too late for the harvest.")
    assert [r.text for r in revisions_of(proposal)] == [MOTION_TEXT]
    stored = _stored(amendment)
    assert (stored.state, stored.resulting_revision, stored.decided_by_id) == (
        AmendmentState.REJECTED,
        None,
        cast.coauthor.id,
    )
    assert stored.decision_reason == "Too late for the harvest."
    assert proposal.current_revision == 1


@pytest.mark.parametrize("who", ["amender", "chair", "outsider"])
def test_only_the_authors_decide(cast, proposal, who):
    amendment = make_amendment(cast.voters[0], proposal)
    actor = {"amender": cast.voters[0], "chair": cast.chair, "outsider": cast.outsider}[who]
    before = stored_rows()
    with pytest.raises(
        NotAllowed, match=exactly("Only the proposal's authors decide on amendments.")
    ):
        _decide(actor, amendment)
    assert stored_rows() == before
    assert _stored(amendment).state is AmendmentState.OPEN


@pytest.mark.parametrize("accept", [True, False])
@pytest.mark.parametrize("reason", ["", "  "])
def test_a_decision_needs_a_reason(cast, proposal, accept, reason):
    amendment = make_amendment(cast.voters[0], proposal)
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        _decide(cast.author, amendment, accept=accept, reason=reason)
    assert (str(refused.value.message), refused.value.field) == (
        "Give the reason for your decision.",
        "reason",
    )
    assert stored_rows() == before
    assert _stored(amendment).state is AmendmentState.OPEN


def test_an_amendment_to_an_older_revision_cannot_be_accepted(cast, proposal):
    amendment = make_amendment(cast.voters[0], proposal)
    services.revise(
        cast.author, proposal.id, title=proposal.title, text="Rewritten.", fields=None, now=NOW
    )
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        _decide(cast.author, amendment)
    assert str(refused.value.message) == (
        "The text changed after this amendment was written (it was written on revision 1, "
        "the text is now at revision 2); it must be proposed again."
    )
    assert stored_rows() == before
    assert [r.text for r in revisions_of(proposal)] == [MOTION_TEXT, "Rewritten."]
    _decide(cast.author, amendment, accept=False, reason="Overtaken by revision 2.")
    assert _stored(amendment).state is AmendmentState.REJECTED


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("second", [True, False])
def test_a_decided_amendment_is_not_decided_again(cast, proposal, first, second):
    amendment = make_amendment(cast.voters[0], proposal)
    _decide(cast.author, amendment, accept=first)
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("This amendment has already been decided.")):
        _decide(cast.coauthor, amendment, accept=second, reason="Changed my mind.")
    assert stored_rows() == before
    stored = _stored(amendment)
    assert (stored.decided_by_id, stored.decision_reason) == (
        cast.author.id,
        "Agreed in the meeting.",
    )


def test_no_amendment_is_decided_once_the_deliberation_is_closed(cast, proposal):
    amendment = make_amendment(cast.voters[0], proposal)
    services.put_forward(cast.chair, proposal.id, now=NOW)
    services.transition(cast.chair, proposal, S.IN_BALLOT, now=NOW)
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("The deliberation on this proposal is closed.")):
        _decide(cast.author, amendment)
    assert stored_rows() == before
    assert stored_state(proposal) is S.IN_BALLOT


def test_two_amendments_on_the_same_revision_the_second_must_be_proposed_again(cast, proposal):
    first = make_amendment(cast.voters[0], proposal)
    second = make_amendment(cast.voters[1], proposal, text="Another wording.")
    _decide(cast.author, first)
    with pytest.raises(DomainError, match="written on revision 1, the text is now at revision 2"):
        _decide(cast.author, second)
    assert [r.text for r in revisions_of(proposal)] == [MOTION_TEXT, AMENDED]
