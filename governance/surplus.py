"""What an approved surplus split moves, and whether it has moved.

A ``surplus-split`` decision moves its split ballot's ``amounts`` from the
proposal's source account to each destination's account, in one linked batch of
ledger transfers named after the decision (``surplus:<decision>`` and
``surplus:<decision>:<place>``), so that it is posted at most once. Whether the
money moved is read from the ledger itself: the batch is there or not yet.
Posting is ``governance.effects``' (``split_surplus`` when the ballot closes,
``post_surplus`` when the chair retries it).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from governance.extensions import db
from governance.models import AuditEntry, Decision
from ledger.models import Transfer
from proposals.models import Proposal, Revision
from votes.models import Ballot

KIND = "surplus-split"
METHOD = "split"
WAITING = "surplus.waiting"
MOVED = "surplus.moved"


def batch_id(decision_id: int) -> str:
    return f"surplus:{decision_id}"


def transfer_id(decision_id: int, position: int) -> str:
    """A destination's transfer id, an idempotency key: ``position`` from 1, in the
    ballot's order of the destinations."""
    return f"surplus:{decision_id}:{position}"


@dataclass(frozen=True)
class SurplusShare:
    """What one destination receives."""

    position: int  # its place on the ballot, from 1
    label: str
    account_id: int
    amount: int


@dataclass(frozen=True)
class SurplusPlan:
    """The money a surplus decision moves: ``total`` from the source, in shares."""

    decision_id: int
    source_account_id: int
    currency: str
    total: int
    shares: tuple[SurplusShare, ...]

    @property
    def batch_id(self) -> str:
        return batch_id(self.decision_id)

    @property
    def reference(self) -> str:
        return f"decision:{self.decision_id}"

    @property
    def moving(self) -> tuple[SurplusShare, ...]:
        """The shares with money in them (a destination may get nothing)."""
        return tuple(share for share in self.shares if share.amount > 0)


def plan_for_decision(decision: Decision) -> SurplusPlan | None:
    """What the decision moves, or None when it decided no surplus split (another
    kind, or a ballot that is not a counted split)."""
    if decision.ballot_id is None or decision.proposal_id is None:
        return None
    proposal = db.session.get(Proposal, decision.proposal_id)
    ballot = db.session.get(Ballot, decision.ballot_id)
    if proposal is None or proposal.kind != KIND or ballot is None or ballot.method != METHOD:
        return None
    amounts = (ballot.result or {}).get("amounts")
    revision = db.session.execute(
        sa.select(Revision).where(
            Revision.proposal_id == proposal.id, Revision.number == decision.revision_number
        )
    ).scalar_one_or_none()
    if not amounts or revision is None or not ballot.method_settings:
        return None
    # The ballot's options are the revision's destinations, in the same order.
    destinations = revision.fields["destinations"]
    shares = tuple(
        SurplusShare(position, option, destination["account_id"], int(amounts[option]))
        for position, (option, destination) in enumerate(
            zip(ballot.options, destinations, strict=True), start=1
        )
    )
    return SurplusPlan(
        decision_id=decision.id,
        source_account_id=revision.fields["source_account_id"],
        currency=ballot.method_settings["currency"],
        total=ballot.method_settings["total"],
        shares=shares,
    )


def moved_transfers(plan: SurplusPlan) -> list[Transfer]:
    """The plan's batch as posted, in chain order (empty: not moved yet). Read by the
    transfers' ids, which the ledger indexes (its batch column it does not)."""
    ids = [transfer_id(plan.decision_id, share.position) for share in plan.shares]
    return list(
        db.session.execute(
            sa.select(Transfer)
            .where(Transfer.id.in_(ids), Transfer.batch == plan.batch_id)
            .order_by(Transfer.seq)
        ).scalars()
    )


def last_waiting(decision_id: int) -> AuditEntry | None:
    """The last time the ledger refused to move the decision's surplus."""
    return db.session.execute(
        sa.select(AuditEntry)
        .where(
            AuditEntry.action == WAITING,
            AuditEntry.object_type == Decision.__tablename__,
            AuditEntry.object_id == str(decision_id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
