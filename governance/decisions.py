"""Decisions: a proposal put to a ballot, and what follows when it closes.

``votes/`` knows nothing of proposals and ``proposals/`` nothing of ballots;
this module joins them. When a ballot on a proposal closes approved, the
proposal becomes approved, a ``Decision`` is recorded with the ballot, the
result's hash and the revision voted on, and the proposal kind's effect runs,
all in the closing transaction. A decision is never edited; a later one may
supersede it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit, effects, surplus
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Decision, Member
from governance.services import naive_utc
from ledger.amounts import format_amount
from ledger.errors import InsufficientFunds, LedgerError
from ledger.messages import message_for
from ledger.models import Account, Currency
from proposals import amendments, deliberation
from proposals import services as proposal_services
from proposals.kinds import get_kind
from proposals.models import Proposal, ProposalState
from votes import outcomes
from votes import services as ballot_services
from votes.models import Ballot
from votes.policies import can_run_ballots


def put_to_vote(
    actor: Member, proposal_id: int, settings: ballot_services.BallotSettings, *, now: datetime
) -> Ballot:
    """The chair or secretary puts a proposal that is ready for decision to a
    ballot of its body on its current revision: yes / no / abstain, or the ballot
    its kind sets up from the chair's settings (``ProposalKind.ballot_settings``:
    a surplus split is a split ballot among its destinations)."""
    proposal = proposal_services.get_proposal(proposal_id, lock=True)
    if not can_run_ballots(actor, proposal.body):
        raise NotAllowed(_l("Only the body's chair or secretary can put a proposal to a vote."))
    if proposal.state is not ProposalState.READY:
        raise DomainError(_l("Only a proposal that is ready for decision can be put to a vote."))
    if proposal_services.amendment_in_ballot(proposal.id) is not None:
        raise DomainError(
            _l("An amendment to this proposal is being voted on; wait for its result.")
        )
    own_settings = get_kind(proposal.kind).ballot_settings
    if own_settings is not None:
        settings = own_settings(proposal, settings, now)
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


# --- a surplus split's money, moved again by the chair ---------------------------------


@dataclass(frozen=True)
class SurplusMove:
    """What ``move_surplus`` did: ``is_new`` when this call moved the money, not an
    earlier one."""

    plan: surplus.SurplusPlan
    transfer_ids: tuple[str, ...]
    is_new: bool


def move_surplus(actor: Member, decision_id: int, *, now: datetime) -> SurplusMove:
    """The body's chair or secretary moves the money of an approved surplus split
    that waited (the source held too little when the ballot closed).

    The same transfers as the decision's effect, under the same ids: a call after
    the money moved moves nothing (``is_new`` false). Refused, with nothing
    written, for someone else (NotAllowed), a decision that moves no surplus, or
    when the ledger refuses (the source still holds too little)."""
    decision = get_decision(decision_id)
    if not can_run_ballots(actor, decision.body):
        raise NotAllowed(_l("Only the body's chair or secretary can move the surplus."))
    plan = surplus.plan_for_decision(decision)
    if plan is None or not plan.moving:
        raise DomainError(_l("This decision moves no surplus."))
    moved = surplus.moved_transfers(plan)
    if moved:
        return SurplusMove(plan, tuple(transfer.id for transfer in moved), is_new=False)
    try:
        # The audit log's head before the ledger's, in the order a ballot's close takes
        # them; a savepoint, so that a refusal or a replay leaves no entry behind.
        with db.session.begin_nested():
            effects.record_surplus_moved(actor, plan, now=now)
            results = effects.post_surplus(plan, now=now)
            if all(result.is_replay for result in results):
                raise _MovedMeanwhile(tuple(result.id for result in results))
    except _MovedMeanwhile as replayed:  # another request moved it since the check above
        return SurplusMove(plan, replayed.transfer_ids, is_new=False)
    except InsufficientFunds:
        raise DomainError(_surplus_too_low(plan)) from None
    except LedgerError as error:
        raise DomainError(
            _l(
                "The ledger refused the transfers, so nothing moved: %(reason)s",
                reason=message_for(error),
            )
        ) from None
    return SurplusMove(plan, tuple(result.id for result in results), is_new=True)


class _MovedMeanwhile(Exception):
    def __init__(self, transfer_ids: tuple[str, ...]) -> None:
        super().__init__("the surplus was moved by another request")
        self.transfer_ids = transfer_ids


def _surplus_too_low(plan: surplus.SurplusPlan) -> Any:
    source = db.session.execute(
        sa.select(Account)
        .where(Account.id == plan.source_account_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    currency = db.session.get(Currency, plan.currency)
    assert currency is not None
    return _l(
        "The account the surplus comes from has %(held)s available, less than the "
        "%(total)s to split. Nothing moved; try again once the money is there.",
        held=format_amount(max(source.available, 0), currency),
        total=format_amount(plan.total, currency),
    )
