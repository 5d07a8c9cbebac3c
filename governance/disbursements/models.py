"""Disbursement plans: what an approved decision pays, in tranches, each paid after
two different members with the role approve it (four eyes).

A plan and its tranches are written once, when the decision is recorded; after
that only a tranche's state, payment and the plan's ``paid_total`` change (the
database refuses any other update, and every delete). Approvals are append-only.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db
from governance.models import Member, enum_check, str_enum

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
else:
    Model = db.Model

# Two different members approve a tranche before it is paid.
APPROVALS_NEEDED = 2


class TrancheState(enum.StrEnum):
    REQUESTED = "requested"  # awaiting its approvals
    PAID = "paid"


class DisbursementPlan(Model):
    """What one approved decision pays from ``source_account_id`` (the solidarity
    fund) to ``beneficiary_account_id``: ``approved_total`` in ``currency``."""

    __tablename__ = "disbursement_plans"
    __table_args__ = (
        sa.CheckConstraint("approved_total > 0", name="approved_total"),
        sa.CheckConstraint(
            "paid_total >= 0 AND paid_total <= approved_total", name="paid_within_approved"
        ),
        sa.CheckConstraint("source_account_id <> beneficiary_account_id", name="two_accounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), unique=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    source_account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"), index=True)
    beneficiary_account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"))
    currency: Mapped[str] = mapped_column(sa.String(16), sa.ForeignKey("ledger_currencies.code"))
    approved_total: Mapped[int] = mapped_column(sa.BigInteger)
    paid_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime]

    tranches: Mapped[list[Tranche]] = relationship(
        back_populates="plan", order_by="Tranche.position"
    )

    @property
    def remaining(self) -> int:
        return self.approved_total - self.paid_total


class Tranche(Model):
    """One part of a plan, paid when its condition (a milestone of the project) is
    met and two members have approved it."""

    __tablename__ = "disbursement_tranches"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "position"),
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("position > 0", name="position"),
        sa.CheckConstraint(enum_check("state", TrancheState), name="state"),
        sa.CheckConstraint(
            "(state = 'paid' AND transfer_id IS NOT NULL AND paid_at IS NOT NULL) "
            "OR (state = 'requested' AND transfer_id IS NULL AND paid_at IS NULL)",
            name="paid_with_transfer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("disbursement_plans.id"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    # What must be true before it is paid: the milestone and its date, as proposed.
    condition: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date | None]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    state: Mapped[TrancheState] = mapped_column(
        str_enum(TrancheState), default=TrancheState.REQUESTED
    )
    # The ledger transfer that paid it (its id is the idempotency key).
    transfer_id: Mapped[str | None] = mapped_column(
        sa.String(64), sa.ForeignKey("ledger_transfers.id"), unique=True
    )
    paid_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    plan: Mapped[DisbursementPlan] = relationship(back_populates="tranches")
    approvals: Mapped[list[TrancheApproval]] = relationship(
        back_populates="tranche", order_by="TrancheApproval.id"
    )

    @property
    def is_paid(self) -> bool:
        return self.state is TrancheState.PAID

    def mark_paid(self, transfer_id: str, at: datetime) -> None:
        """The one move a tranche makes; a paid tranche is never paid again."""
        if self.state is not TrancheState.REQUESTED:
            raise ValueError(f"tranche {self.id} is {self.state}, not requested")
        self.state = TrancheState.PAID
        self.transfer_id = transfer_id
        self.paid_at = at


class TrancheApproval(Model):
    """A member with the role approves a tranche; never edited or removed."""

    __tablename__ = "disbursement_approvals"
    __table_args__ = (sa.UniqueConstraint("tranche_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(sa.ForeignKey("disbursement_tranches.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]

    tranche: Mapped[Tranche] = relationship(back_populates="approvals")
    member: Mapped[Member] = relationship(lazy="selectin")
