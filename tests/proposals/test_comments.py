"""Comments: two levels, a stance each with counts, moderation and flags."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from proposals import deliberation
from proposals.models import Comment, CommentFlag, ProposalState
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import (
    exactly,
    last_audit,
    make_cast,
    make_comment,
    make_proposal,
    make_proposal_body,
    stored_rows,
)

S = ProposalState
AT = NOW.replace(tzinfo=None)


@pytest.fixture
def proposal(cast):
    return make_proposal(cast.author, cast.body, state=S.PUBLISHED)


def _stored(comment) -> Comment:
    return db.session.execute(
        sa.select(Comment).where(Comment.id == comment.id).execution_options(populate_existing=True)
    ).scalar_one()


def test_a_comment_is_stored_with_its_stance_and_audited(cast, proposal):
    comment = make_comment(cast.voters[0], proposal, text="  Too expensive.  ", stance="against")
    stored = _stored(comment)
    assert (stored.proposal_id, stored.parent_id, stored.author_id, stored.stance, stored.text) == (
        proposal.id,
        None,
        cast.voters[0].id,
        "against",
        "Too expensive.",
    )
    entry = last_audit()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "comment.added",
        cast.voters[0].id,
        str(comment.id),
    )
    assert json.loads(entry.data) == {"proposal_id": proposal.id, "stance": "against"}


def test_a_reply_to_a_reply_joins_the_top_level_thread(cast, proposal):
    top = make_comment(cast.voters[0], proposal)
    reply = make_comment(cast.voters[1], proposal, parent=top, stance="in-favour")
    reply_to_reply = make_comment(cast.voters[2], proposal, parent=reply)
    assert _stored(reply).parent_id == top.id
    assert _stored(reply_to_reply).parent_id == top.id


def test_comments_are_open_while_ready_too(cast):
    ready = make_proposal(cast.author, cast.body, state=S.READY)
    assert make_comment(cast.outsider, ready).proposal_id == ready.id


def test_stance_counts_leave_out_hidden_comments_and_other_proposals(cast, proposal):
    other = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    assert deliberation.stance_counts(proposal.id) == {"in-favour": 0, "against": 0, "neutral": 0}
    make_comment(cast.voters[0], proposal, stance="in-favour")
    make_comment(cast.voters[1], proposal, stance="in-favour")
    hidden = make_comment(cast.voters[2], proposal, stance="against")
    top = make_comment(cast.outsider, proposal, stance="against")
    make_comment(cast.author, proposal, stance="neutral", parent=top)
    make_comment(cast.voters[0], other, stance="against")
    deliberation.hide_comment(cast.chair, hidden.id, reason="Insults", now=NOW)
    assert deliberation.stance_counts(proposal.id) == {"in-favour": 2, "against": 1, "neutral": 1}


@pytest.mark.parametrize("moderator", ["chair", "secretary"])
def test_chair_or_secretary_hides_a_comment_with_a_reason(cast, proposal, moderator):
    comment = make_comment(cast.voters[0], proposal, text="Something rude.")
    actor = getattr(cast, moderator)
    deliberation.hide_comment(actor, comment.id, reason="  Personal attack  ", now=NOW)
    stored = _stored(comment)
    assert (stored.is_hidden, stored.hidden_reason, stored.hidden_by_id, stored.hidden_at) == (
        True,
        "Personal attack",
        actor.id,
        AT,
    )
    assert stored.text == "Something rude."  # hidden, never deleted
    entry = last_audit()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "comment.hidden",
        actor.id,
        str(comment.id),
    )
    assert json.loads(entry.data) == {"reason": "Personal attack"}


@pytest.mark.parametrize("who", ["author", "voters", "observer", "outsider"])
def test_others_may_not_hide_a_comment(cast, proposal, who):
    comment = make_comment(cast.voters[1], proposal)
    actor = cast.voters[0] if who == "voters" else getattr(cast, who)
    before = stored_rows()
    with pytest.raises(NotAllowed, match="Only the body's chair or secretary can moderate"):
        deliberation.hide_comment(actor, comment.id, reason="I dislike it", now=NOW)
    assert stored_rows() == before
    assert _stored(comment).is_hidden is False


def test_the_chair_of_another_body_may_not_hide_a_comment(cast, proposal):
    other = make_cast(make_proposal_body())
    comment = make_comment(cast.voters[0], proposal)
    with pytest.raises(NotAllowed):
        deliberation.hide_comment(other.chair, comment.id, reason="Off topic", now=NOW)
    assert _stored(comment).is_hidden is False


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_needs_a_reason(cast, proposal, reason):
    comment = make_comment(cast.voters[0], proposal)
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        deliberation.hide_comment(cast.chair, comment.id, reason=reason, now=NOW)
    assert refused.value.field == "reason"
    assert str(refused.value.message) == "Give the reason; it is shown in place of the comment."
    assert stored_rows() == before
    assert _stored(comment).is_hidden is False


def test_a_hidden_comment_is_not_hidden_twice(cast, proposal):
    comment = make_comment(cast.voters[0], proposal)
    deliberation.hide_comment(cast.chair, comment.id, reason="Off topic", now=NOW)
    before = stored_rows()
    with pytest.raises(DomainError, match="already hidden"):
        deliberation.hide_comment(cast.secretary, comment.id, reason="Again", now=NOW)
    assert stored_rows() == before
    assert _stored(comment).hidden_reason == "Off topic"


def test_a_member_flags_a_comment_once(cast, proposal):
    comment = make_comment(cast.voters[0], proposal)
    deliberation.flag_comment(cast.voters[1], comment.id, reason=" Spam ", now=NOW)
    assert (last_audit().action, last_audit().actor_id) == ("comment.flagged", cast.voters[1].id)
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("You have already reported this comment.")):
        deliberation.flag_comment(cast.voters[1], comment.id, reason="Spam!", now=NOW)
    assert stored_rows() == before
    deliberation.flag_comment(cast.outsider, comment.id, reason="", now=NOW)
    flags = db.session.execute(
        sa.select(CommentFlag.member_id, CommentFlag.reason)
        .where(CommentFlag.comment_id == comment.id)
        .order_by(CommentFlag.id)
    ).all()
    assert flags == [(cast.voters[1].id, "Spam"), (cast.outsider.id, "")]


def test_only_members_of_a_private_body_take_part(request_context):
    private = make_cast(make_proposal_body(is_private=True))
    proposal = make_proposal(private.author, private.body, state=S.PUBLISHED)
    before = stored_rows()
    with pytest.raises(NotAllowed, match=exactly("You cannot take part in this deliberation.")):
        make_comment(private.outsider, proposal)
    assert stored_rows() == before
    assert make_comment(private.observer, proposal).author_id == private.observer.id
