"""Who may see a proposal and who may propose: drafts are the authors', a
private body's proposals its members', and the rest is public."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from governance.errors import NotAllowed
from proposals import services
from proposals.models import ProposalState
from proposals.policies import (
    TEMPLATE_POLICIES,
    can_propose,
    can_support,
    can_view_proposal,
)
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.proposals import (
    MOTION_TEXT,
    exactly,
    make_cast,
    make_proposal,
    make_proposal_body,
    stored_rows,
)

S = ProposalState
ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def private(request_context):
    return make_cast(make_proposal_body(is_private=True))


@pytest.fixture
def admin(request_context):
    return make_member(is_admin=True)


def test_a_draft_is_seen_by_its_authors_only(cast, admin):
    draft = make_proposal(cast.author, cast.body, coauthors=(cast.coauthor,))
    assert can_view_proposal(cast.author, draft)
    assert can_view_proposal(cast.coauthor, draft)
    for other in (cast.chair, cast.voters[0], cast.outsider, admin, ANONYMOUS):
        assert not can_view_proposal(other, draft), other


@pytest.mark.parametrize("state", [s for s in ProposalState if s is not S.DRAFT])
def test_in_an_open_body_everyone_sees_a_published_proposal(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    for viewer in (ANONYMOUS, cast.outsider, cast.observer, cast.author):
        assert can_view_proposal(viewer, proposal), viewer


@pytest.mark.parametrize("state", [S.PUBLISHED, S.APPROVED, S.ARCHIVED])
def test_a_private_body_shows_its_proposals_to_its_members_and_admins(private, admin, state):
    proposal = make_proposal(private.author, private.body, state=state)
    for viewer in (private.chair, private.voters[0], private.observer, private.weightless, admin):
        assert can_view_proposal(viewer, proposal), viewer
    other_body_member = make_cast(make_proposal_body()).chair
    for viewer in (ANONYMOUS, private.outsider, other_body_member):
        assert not can_view_proposal(viewer, proposal), viewer


def test_a_private_draft_is_still_only_its_authors(private, admin):
    draft = make_proposal(private.author, private.body)
    assert can_view_proposal(private.author, draft)
    assert not can_view_proposal(private.chair, draft)
    assert not can_view_proposal(admin, draft)


def test_every_member_proposes_in_an_open_body(cast, admin):
    for member in (cast.outsider, cast.observer, cast.voters[0], admin):
        assert can_propose(member, cast.body), member
    assert not can_propose(ANONYMOUS, cast.body)


def test_a_private_body_hears_only_those_who_sit_in_it(private, admin):
    for member in (private.chair, private.voters[0], private.observer):
        assert can_propose(member, private.body), member
    for member in (private.outsider, admin, ANONYMOUS):
        assert not can_propose(member, private.body), member


def test_a_proposal_in_a_private_body_by_an_outsider_is_refused(private):
    before = stored_rows()
    with pytest.raises(
        NotAllowed, match=exactly("Only the members of this body may propose in it.")
    ):
        services.create_proposal(
            private.outsider,
            body_id=private.body.id,
            kind="motion",
            title="Let me in",
            text=MOTION_TEXT,
            fields={},
            now=NOW,
        )
    assert stored_rows() == before


def test_only_voting_seats_support(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    for member in (cast.chair, cast.secretary, cast.author, cast.voters[0]):
        assert can_support(member, proposal), member
    for member in (cast.observer, cast.weightless, cast.outsider, ANONYMOUS):
        assert not can_support(member, proposal), member


def test_the_anonymous_visitor_may_do_nothing_but_read(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    allowed = {
        name
        for name, policy in TEMPLATE_POLICIES.items()
        if policy(ANONYMOUS, proposal) or policy(ANONYMOUS, cast.body)
    }
    assert allowed == {"can_view_proposal"}
