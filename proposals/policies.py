"""Who may do what with proposals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from governance.models import Body, Member, Role
from governance.policies import Requirement
from proposals.models import (
    OPEN_STATES,
    TRANSITIONS,
    VISIBLE_STATES,
    Comment,
    Proposal,
    ProposalState,
)


def _member(member: Any) -> Member | None:
    if getattr(member, "is_authenticated", False) and isinstance(member, Member):
        return member
    return None


def _seat_roles(member: Member, body_id: int) -> set[Role]:
    today = datetime.now(UTC).date()
    return {s.role for s in member.seats if s.body_id == body_id and s.is_active_on(today)}


def sits_in(member: Any, body: Body) -> bool:
    m = _member(member)
    return m is not None and bool(_seat_roles(m, body.id))


def votes_in(member: Any, body: Body) -> bool:
    # As the support threshold counts seats: observers and weight 0 have no vote.
    m = _member(member)
    today = datetime.now(UTC).date()
    return m is not None and any(
        s.body_id == body.id and s.is_active_on(today) and s.has_vote for s in m.seats
    )


def chairs(member: Any, body: Body, roles=(Role.CHAIR, Role.SECRETARY)) -> bool:
    m = _member(member)
    return m is not None and (m.is_admin or bool(_seat_roles(m, body.id) & set(roles)))


def _can_propose(member: Any, body: Any) -> bool:
    # Every member of the network may propose to an open body; a private
    # body hears only those who sit in it.
    return (
        _member(member) is not None
        and isinstance(body, Body)
        and (not body.is_private or sits_in(member, body))
    )


def _can_view(member: Any, proposal: Any) -> bool:
    if not isinstance(proposal, Proposal):
        return False
    if proposal.state is ProposalState.DRAFT:
        return proposal.is_author(member)
    if proposal.body.is_private:
        m = _member(member)
        return m is not None and (m.is_admin or sits_in(m, proposal.body))
    return proposal.state in VISIBLE_STATES


def _can_edit(member: Any, proposal: Any) -> bool:
    return (
        isinstance(proposal, Proposal)
        and proposal.is_author(member)
        and proposal.state in {ProposalState.DRAFT, *OPEN_STATES}
    )


def _can_deliberate(member: Any, proposal: Any) -> bool:
    return (
        _member(member) is not None
        and _can_view(member, proposal)
        and proposal.state in OPEN_STATES
    )


def _can_support(member: Any, proposal: Any) -> bool:
    from proposals.kinds import ballot_refusal  # the kinds import the effects

    # A kind decided elsewhere (a participatory budget's project) gathers no supports.
    return (
        isinstance(proposal, Proposal)
        and proposal.state is ProposalState.PUBLISHED
        and ballot_refusal(proposal.kind) is None
        and votes_in(member, proposal.body)
    )


def _can_moderate(member: Any, target: Any) -> bool:
    body = target.body if isinstance(target, Proposal) else target
    return isinstance(body, Body) and chairs(member, body)


def _can_put_forward(member: Any, proposal: Any) -> bool:
    from proposals.kinds import ballot_refusal  # the kinds import the effects

    return (
        isinstance(proposal, Proposal)
        and proposal.state is ProposalState.PUBLISHED
        and ballot_refusal(proposal.kind) is None
        and chairs(member, proposal.body, roles=(Role.CHAIR,))
    )


def _can_flag(member: Any, comment: Any) -> bool:
    return _member(member) is not None and isinstance(comment, Comment)


def _can_publish(member: Any, proposal: Any) -> bool:
    return (
        isinstance(proposal, Proposal)
        and proposal.state is ProposalState.DRAFT
        and proposal.is_author(member)
    )


def _can_withdraw(member: Any, proposal: Any) -> bool:
    from proposals.kinds import frozen_reason  # the kinds import the effects

    return (
        isinstance(proposal, Proposal)
        and proposal.is_author(member)
        and ProposalState.WITHDRAWN in TRANSITIONS[proposal.state]
        and frozen_reason(proposal) is None
    )


def _can_archive(member: Any, proposal: Any) -> bool:
    return (
        isinstance(proposal, Proposal)
        and chairs(member, proposal.body)
        and ProposalState.ARCHIVED in TRANSITIONS[proposal.state]
    )


def _can_decide_amendments(member: Any, proposal: Any) -> bool:
    return (
        isinstance(proposal, Proposal)
        and proposal.is_author(member)
        and proposal.state in OPEN_STATES
    )


can_propose = Requirement("can_propose", _can_propose)
can_view_proposal = Requirement("can_view_proposal", _can_view)
can_edit_proposal = Requirement("can_edit_proposal", _can_edit)
can_comment = Requirement("can_comment", _can_deliberate)
can_amend = Requirement("can_amend", _can_deliberate)
can_support = Requirement("can_support", _can_support)
can_moderate = Requirement("can_moderate", _can_moderate)
can_put_forward = Requirement("can_put_forward", _can_put_forward)
can_flag_comment = Requirement("can_flag_comment", _can_flag)
# What the proposal page's buttons offer; the services refuse the same moves.
can_publish = Requirement("can_publish", _can_publish)
can_withdraw = Requirement("can_withdraw", _can_withdraw)
can_archive = Requirement("can_archive", _can_archive)
can_decide_amendments = Requirement("can_decide_amendments", _can_decide_amendments)

TEMPLATE_POLICIES = {
    name: value
    for name, value in globals().items()
    if isinstance(value, Requirement) and name.startswith("can_")
}
