"""Decisions: a proposal put to a ballot, and what follows when it closes.

``votes/`` knows nothing of proposals and ``proposals/`` nothing of ballots;
this module joins them. When a ballot on a proposal closes approved, the
proposal becomes approved, a ``Decision`` is recorded with the ballot, the
result's hash and the revision voted on, and the proposal kind's effect runs,
all in the closing transaction. A decision is never edited; a later one may
supersede it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit, effects
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Decision, Member
from governance.services import naive_utc
from proposals import amendments, deliberation
from proposals import services as proposal_services
from proposals.models import Proposal, ProposalState
from votes import outcomes
from votes import services as ballot_services
from votes.models import Ballot
from votes.policies import can_run_ballots


def put_to_vote(
    actor: Member, proposal_id: int, settings: ballot_services.BallotSettings, *, now: datetime
) -> Ballot:
    """The chair or secretary puts a proposal that is ready for decision to a
    ballot of its body (yes / no / abstain on its current revision)."""
    proposal = proposal_services.get_proposal(proposal_id, lock=True)
    if not can_run_ballots(actor, proposal.body):
        raise NotAllowed(_l("Only the body's chair or secretary can put a proposal to a vote."))
    if proposal.state is not ProposalState.READY:
        raise DomainError(_l("Only a proposal that is ready for decision can be put to a vote."))
    if proposal_services.amendment_in_ballot(proposal.id) is not None:
        raise DomainError(
            _l("An amendment to this proposal is being voted on; wait for its result.")
        )
    ballot = ballot_services.create_ballot(
        actor,
        proposal.body_id,
        settings,
        now=now,
        proposal_id=proposal.id,
        revision_number=proposal.current_revision,
    )
    proposal_services.transition(
        actor, proposal, ProposalState.IN_BALLOT, now=now, reason=f"ballot {ballot.id}"
    )
    return ballot


def put_amendment_to_vote(
    actor: Member, amendment_id: int, settings: ballot_services.BallotSettings, *, now: datetime
) -> Ballot:
    """The chair or secretary lets the body decide an amendment by vote
    (yes / no / abstain); approved, it becomes the proposal's next revision."""
    amendment = amendments.get_amendment(amendment_id)
    proposal = proposal_services.get_proposal(amendment.proposal_id)
    if not can_run_ballots(actor, proposal.body):
        raise NotAllowed(_l("Only the body's chair or secretary can put an amendment to a vote."))
    deliberation.send_amendment_to_ballot(amendment.id, now=now)
    return ballot_services.create_ballot(
        actor,
        proposal.body_id,
        settings,
        now=now,
        proposal_id=proposal.id,
        revision_number=amendment.base_revision,
        amendment_id=amendment.id,
    )


def record_decision(
    proposal: Proposal,
    ballot: Ballot,
    *,
    now: datetime,
    supersedes: Decision | None = None,
) -> Decision:
    """Record what was decided; the effect of the proposal's kind runs next."""
    decision = Decision(
        body_id=ballot.body_id,
        proposal_id=proposal.id,
        revision_number=ballot.revision_number,
        ballot_id=ballot.id,
        result_hash=ballot.result_hash,
        title=proposal.title,
        supersedes_id=supersedes.id if supersedes is not None else None,
        decided_at=naive_utc(now),
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        None,
        "decision.recorded",
        decision,
        now=now,
        data={
            "proposal": proposal.id,
            "ballot": ballot.id,
            "revision": ballot.revision_number,
            "result_hash": ballot.result_hash,
            "supersedes": decision.supersedes_id,
        },
    )
    effect = effects.effect_for(proposal.kind)
    if effect is not None:
        effect(decision, proposal, now)
    return decision


@outcomes.on_closed
def _proposal_follows_its_ballot(ballot: Any, result: dict, now: datetime) -> None:
    if ballot.amendment_id is not None:
        deliberation.settle_amendment_by_ballot(
            ballot.amendment_id, accept=bool(result.get("approved")), ballot_id=ballot.id, now=now
        )
        return
    if ballot.proposal_id is None:
        return
    proposal = proposal_services.get_proposal(ballot.proposal_id, lock=True)
    if result.get("approved"):
        proposal_services.transition(
            None, proposal, ProposalState.APPROVED, now=now, reason=f"ballot {ballot.id}"
        )
        record_decision(proposal, ballot, now=now)
    elif not result.get("quorum_met"):
        # Too few took part: the ballot decided nothing, and the proposal can be
        # put to a vote again.
        proposal_services.transition(
            None,
            proposal,
            ProposalState.READY,
            now=now,
            reason=f"ballot {ballot.id}: quorum not met",
        )
    else:
        proposal_services.transition(
            None, proposal, ProposalState.REJECTED, now=now, reason=f"ballot {ballot.id}"
        )


@outcomes.on_cancelled
def _proposal_back_to_ready(ballot: Any, now: datetime) -> None:
    if ballot.amendment_id is not None:
        deliberation.reopen_amendment(ballot.amendment_id, now=now)
        return
    if ballot.proposal_id is None:
        return
    proposal = proposal_services.get_proposal(ballot.proposal_id, lock=True)
    if proposal.state is ProposalState.IN_BALLOT:
        proposal_services.transition(
            None, proposal, ProposalState.READY, now=now, reason=f"ballot {ballot.id} cancelled"
        )


def get_decision(decision_id: int) -> Decision:
    """The decision, or NotFound."""
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(_l("There is no such decision."))
    return decision


def decision_for_ballot(ballot_id: int) -> Decision | None:
    """The decision a ballot led to, if it did."""
    return db.session.execute(
        sa.select(Decision).where(Decision.ballot_id == ballot_id)
    ).scalar_one_or_none()


def ballots_for_proposal(proposal_id: int) -> list[Ballot]:
    """The proposal's ballots, newest first (a cancelled one may precede the last)."""
    return list(
        db.session.execute(
            sa.select(Ballot)
            .where(Ballot.proposal_id == proposal_id, Ballot.amendment_id.is_(None))
            .order_by(Ballot.id.desc())
        ).scalars()
    )


def ballots_for_amendments(proposal_id: int) -> dict[int, Ballot]:
    """The latest ballot of each of the proposal's amendments put to a vote."""
    ballots = db.session.execute(
        sa.select(Ballot)
        .where(Ballot.proposal_id == proposal_id, Ballot.amendment_id.is_not(None))
        .order_by(Ballot.id)
    ).scalars()
    return {ballot.amendment_id: ballot for ballot in ballots if ballot.amendment_id is not None}


def decisions_for_proposal(proposal_id: int) -> list[Decision]:
    """The proposal's decisions, newest first."""
    return list(
        db.session.execute(
            sa.select(Decision)
            .where(Decision.proposal_id == proposal_id)
            .order_by(Decision.id.desc())
        ).scalars()
    )


def superseded_by(decision_id: int) -> Decision | None:
    """The later decision that replaced this one, if any."""
    return db.session.execute(
        sa.select(Decision).where(Decision.supersedes_id == decision_id)
    ).scalar_one_or_none()
