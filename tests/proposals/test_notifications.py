"""Following a proposal: mail on state changes, new revisions and replies, in
each follower's language, never to the member who caused it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from governance.extensions import db
from proposals import deliberation, services
from proposals.models import Follow, ProposalState
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.proposals import (
    make_amendment,
    make_comment,
    make_proposal,
    outbox_to,
    stored_rows,
)

S = ProposalState


def _followers(proposal) -> list[int]:
    return list(
        db.session.execute(
            sa.select(Follow.member_id)
            .where(Follow.proposal_id == proposal.id)
            .order_by(Follow.member_id)
        ).scalars()
    )


def _subjects(member) -> list[str]:
    return [message.subject for message in outbox_to(member)]


@pytest.fixture
def proposal(cast):
    return make_proposal(
        cast.author, cast.body, state=S.PUBLISHED, title="Solar panels", coauthors=(cast.coauthor,)
    )


def test_authors_commenters_and_amenders_follow_once(cast, proposal):
    assert _followers(proposal) == sorted([cast.author.id, cast.coauthor.id])
    make_comment(cast.voters[0], proposal)
    make_comment(cast.voters[0], proposal)
    make_amendment(cast.voters[1], proposal)
    assert _followers(proposal) == sorted(
        [cast.author.id, cast.coauthor.id, cast.voters[0].id, cast.voters[1].id]
    )


def test_publishing_a_draft_mails_nobody(cast):
    draft = make_proposal(cast.author, cast.body, coauthors=(cast.coauthor,))
    before = stored_rows()["outbox_messages"]
    services.publish(cast.author, draft.id, now=NOW)
    assert stored_rows()["outbox_messages"] == before


def test_a_state_change_mails_the_followers_but_not_the_actor(cast, proposal):
    make_comment(cast.voters[0], proposal)
    services.withdraw(cast.author, proposal.id, now=NOW)
    commented = f"{cast.voters[0].display_name} commented."
    assert [m.body.splitlines()[0] for m in outbox_to(cast.author)] == [commented]
    for follower in (cast.coauthor, cast.voters[0]):
        message = outbox_to(follower)[-1]
        assert message.subject == "Proposal “Solar panels”"
        assert message.body.startswith("The proposal is now withdrawn.")
        assert f"/proposals/{proposal.id}" in message.body
    assert outbox_to(cast.voters[1]) == []  # not a follower


def test_the_chair_putting_it_forward_mails_every_follower(cast, proposal):
    services.put_forward(cast.chair, proposal.id, now=NOW)
    for author in (cast.author, cast.coauthor):
        assert outbox_to(author)[-1].body.startswith("The proposal is now ready for decision.")
    assert outbox_to(cast.chair) == []


def test_a_new_revision_mails_the_followers_but_not_its_author(cast, proposal):
    services.revise(
        cast.coauthor, proposal.id, title="Solar panels", text="New text.", fields=None, now=NOW
    )
    assert outbox_to(cast.coauthor) == []
    [message] = outbox_to(cast.author)
    assert message.body.startswith("Revision 2 of the text was published.")


def test_a_reply_mails_the_parent_author_even_if_she_stopped_following(cast, proposal):
    parent = make_comment(cast.voters[0], proposal)
    deliberation.set_following(cast.voters[0], proposal.id, is_following=False, now=NOW)
    assert cast.voters[0].id not in _followers(proposal)
    before = len(outbox_to(cast.voters[0]))
    make_comment(cast.voters[1], proposal, parent=parent, text="I disagree.")
    messages = outbox_to(cast.voters[0])
    assert len(messages) == before + 1
    assert messages[-1].body.startswith(f"{cast.voters[1].display_name} replied to a comment.")
    assert outbox_to(cast.voters[1]) == []  # the one who replied
    assert cast.voters[0].id not in _followers(proposal)  # a reply does not re-follow her


def test_replying_to_ones_own_comment_mails_the_others_only(cast, proposal):
    parent = make_comment(cast.voters[0], proposal)
    author_mails = len(outbox_to(cast.author))
    make_comment(cast.voters[0], proposal, parent=parent)
    assert len(outbox_to(cast.author)) == author_mails + 1
    assert all("replied" not in m.body for m in outbox_to(cast.voters[0]))


def test_each_follower_reads_it_in_her_language(cast, proposal):
    spanish = make_member(language="es", name="Lucía")
    deliberation.set_following(spanish, proposal.id, is_following=True, now=NOW)
    services.put_forward(cast.chair, proposal.id, now=NOW)
    [message] = outbox_to(spanish)
    with force_locale("es"):
        subject = gettext("Proposal “%(title)s”", title="Solar panels")
        state = gettext("ready for decision")
    assert subject != "Proposal “Solar panels”", "the Spanish catalogue lacks this subject"
    assert message.subject == subject
    assert state != "ready for decision", "the Spanish catalogue lacks the state names"
    assert state in message.body
    assert outbox_to(cast.author)[-1].subject == "Proposal “Solar panels”"


def test_an_inactive_follower_gets_nothing(cast, proposal):
    cast.coauthor.is_active_member = False
    services.put_forward(cast.chair, proposal.id, now=NOW)
    assert outbox_to(cast.coauthor) == []
    assert len(outbox_to(cast.author)) == 1


def test_unfollowing_stops_the_mail(cast, proposal):
    deliberation.set_following(cast.coauthor, proposal.id, is_following=False, now=NOW)
    services.put_forward(cast.chair, proposal.id, now=NOW)
    assert outbox_to(cast.coauthor) == []
    assert len(outbox_to(cast.author)) == 1
