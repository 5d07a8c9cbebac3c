"""Participatory-budget processes, their districts, projects, reviewers and reviews.

A process belongs to a body and moves through its phases in one direction only
(``PHASE_AFTER``); the database checks the state and the parameters of its
ballot form. A project is a ``pb-project`` proposal linked to its process; its
cost and district are the current revision's, mirrored here (as a proposal's
title is) so that lists and the later tally need no JSON. Reviews are never
edited: a new review supersedes the previous one.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db
from governance.models import Body, Member, enum_check, str_enum

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
    from proposals.models import Proposal
else:
    Model = db.Model

# The outcome rules of ``budgets.rules.RULES`` (a test keeps the two equal), named
# here so that the models and the migrations need not import the rules (numpy).
RULE_IDS = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "mes",
    "mes-add1",
    "mes-add1-greedy",
    "phragmen",
)
DEFAULT_RULE = "mes-add1-greedy"


class ProcessState(enum.StrEnum):
    DRAFT = "draft"  # being set up; no one submits yet
    INTAKE = "intake"  # members submit projects
    REVIEW = "review"  # appointed reviewers judge feasibility
    VOTING = "voting"
    RESULT = "result"  # counted; awaiting approval (by the body or automatic)
    EXECUTION = "execution"  # selected projects are decisions being carried out
    CLOSED = "closed"


# The one move out of each state: phases only go forward.
PHASE_AFTER: dict[ProcessState, ProcessState | None] = {
    ProcessState.DRAFT: ProcessState.INTAKE,
    ProcessState.INTAKE: ProcessState.REVIEW,
    ProcessState.REVIEW: ProcessState.VOTING,
    ProcessState.VOTING: ProcessState.RESULT,
    ProcessState.RESULT: ProcessState.EXECUTION,
    ProcessState.EXECUTION: ProcessState.CLOSED,
    ProcessState.CLOSED: None,
}
# States in which the set-up (amounts, districts, rule, ballot, dates) may change.
EDITABLE_STATES = frozenset({ProcessState.DRAFT, ProcessState.INTAKE, ProcessState.REVIEW})


class BallotForm(enum.StrEnum):
    APPROVAL = "approval"  # tick between min_projects and max_projects
    KNAPSACK = "knapsack"  # tick projects whose total cost fits the budget
    CHOOSE_ONE = "choose-1"
    CUMULATIVE = "cumulative"  # share ``points`` among projects
    ORDINAL = "ordinal"  # rank up to ``max_ranks`` projects


class ResultApproval(enum.StrEnum):
    BODY = "body"  # the body approves the result (a decision)
    AUTOMATIC = "automatic"  # the count is the decision


class Process(Model):
    """A participatory budget of a body: the money (a city-wide pot of ``amount``
    plus each district's), the fund it comes from, the rule that counts it, the
    ballot form, and the end of each phase (None: moved by hand)."""

    __tablename__ = "pb_processes"
    __table_args__ = (
        sa.CheckConstraint(enum_check("state", ProcessState), name="state"),
        sa.CheckConstraint(
            "rule IN (" + ", ".join(f"'{rule}'" for rule in RULE_IDS) + ")", name="rule"
        ),
        sa.CheckConstraint(enum_check("ballot_form", BallotForm), name="ballot_form"),
        sa.CheckConstraint(enum_check("result_approval", ResultApproval), name="result_approval"),
        sa.CheckConstraint("amount >= 0", name="amount"),
        sa.CheckConstraint(
            "rule <> 'greedy-threshold' OR (min_score IS NOT NULL AND min_score >= 0)",
            name="min_score",
        ),
        sa.CheckConstraint("min_projects IS NULL OR min_projects >= 0", name="min_projects"),
        sa.CheckConstraint(
            "max_projects IS NULL OR (max_projects > 0 AND "
            "(min_projects IS NULL OR max_projects >= min_projects))",
            name="max_projects",
        ),
        sa.CheckConstraint(
            "ballot_form <> 'cumulative' OR (points IS NOT NULL AND points > 0)", name="points"
        ),
        sa.CheckConstraint(
            "ballot_form <> 'ordinal' OR (max_ranks IS NOT NULL AND max_ranks > 0)",
            name="max_ranks",
        ),
        sa.Index("ix_pb_processes_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    currency: Mapped[str] = mapped_column(sa.String(16))
    # The ledger account the money comes from, by code (``network:solidarity-fund:BRL``):
    # the ledger may open it later, and budgets/ does not reach into the ledger.
    fund_account: Mapped[str] = mapped_column(sa.String(120))
    # The city-wide pot (0 when only the districts have money).
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    rule: Mapped[str] = mapped_column(sa.String(32), default=DEFAULT_RULE)
    min_score: Mapped[int | None]
    ballot_form: Mapped[BallotForm] = mapped_column(str_enum(BallotForm))
    min_projects: Mapped[int | None]
    max_projects: Mapped[int | None]
    points: Mapped[int | None]
    max_ranks: Mapped[int | None]
    result_approval: Mapped[ResultApproval] = mapped_column(str_enum(ResultApproval))
    state: Mapped[ProcessState] = mapped_column(str_enum(ProcessState), default=ProcessState.DRAFT)
    # When intake opens, and when each phase ends (UTC; None: by hand).
    starts_at: Mapped[datetime | None]
    intake_ends_at: Mapped[datetime | None]
    review_ends_at: Mapped[datetime | None]
    voting_ends_at: Mapped[datetime | None]
    result_ends_at: Mapped[datetime | None]
    execution_ends_at: Mapped[datetime | None]
    phase_changed_at: Mapped[datetime | None]
    # The result's approval: by the body (the member who recorded it) or automatic
    # (by None); then each selected project has its decision.
    result_approved_at: Mapped[datetime | None]
    result_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    # Imported from a pabulib file: its META section, written back on export.
    source_meta: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_at: Mapped[datetime]

    body: Mapped[Body] = relationship()
    districts: Mapped[list[District]] = relationship(
        back_populates="process", order_by="District.position"
    )

    def ends_at(self, state: ProcessState) -> datetime | None:
        """When the phase ``state`` ends: the time the scheduler moves it on."""
        return {
            ProcessState.DRAFT: self.starts_at,
            ProcessState.INTAKE: self.intake_ends_at,
            ProcessState.REVIEW: self.review_ends_at,
            ProcessState.VOTING: self.voting_ends_at,
            ProcessState.RESULT: self.result_ends_at,
            ProcessState.EXECUTION: self.execution_ends_at,
        }.get(state)

    def phase_ends(self) -> list[tuple[ProcessState, datetime | None]]:
        """The dated phases in order, each with its end."""
        return [
            (state, self.ends_at(state))
            for state in (
                ProcessState.INTAKE,
                ProcessState.REVIEW,
                ProcessState.VOTING,
                ProcessState.RESULT,
                ProcessState.EXECUTION,
            )
        ]

    @property
    def total(self) -> int:
        """The whole budget: the city-wide pot and every district's."""
        return self.amount + sum(district.amount for district in self.districts)

    @property
    def has_city_wide_pot(self) -> bool:
        return self.amount > 0 or not self.districts

    def pot(self, district_id: int | None) -> int:
        """The money of one district (None: the city-wide pot)."""
        if district_id is None:
            return self.amount
        return next((d.amount for d in self.districts if d.id == district_id), 0)


class District(Model):
    """A part of the territory with its own pot; its voters vote on its projects."""

    __tablename__ = "pb_districts"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "name"),
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("position > 0", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120))
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    process: Mapped[Process] = relationship(back_populates="districts")


class Project(Model):
    """A ``pb-project`` proposal in its process. ``cost`` and ``district_id`` mirror
    the proposal's current revision (written while intake is open, as the
    revision is); ``id`` as a string is the project's id in a pabulib file."""

    __tablename__ = "pb_projects"
    __table_args__ = (sa.CheckConstraint("cost > 0", name="cost"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pb_districts.id"), index=True)
    cost: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime]
    # Set when the approved result selects it: the decision that funds it.
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"), unique=True)

    process: Mapped[Process] = relationship()
    proposal: Mapped[Proposal] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def pabulib_id(self) -> str:
        return str(self.id)


class Reviewer(Model):
    """A member appointed to judge the feasibility of a process's projects, until
    ``removed_at``."""

    __tablename__ = "pb_reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    appointed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    appointed_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="selectin")

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class Review(Model):
    """A reviewer's judgement of a project, public with its reason. Never edited
    (the database refuses it): a later review supersedes it."""

    __tablename__ = "pb_reviews"
    __table_args__ = (
        sa.CheckConstraint("is_feasible OR reason <> ''", name="reason_when_not_feasible"),
        sa.CheckConstraint(
            "revised_cost IS NULL OR (revised_cost > 0 AND is_feasible)", name="revised_cost"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_projects.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    is_feasible: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    revised_cost: Mapped[int | None] = mapped_column(sa.BigInteger)
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pb_reviews.id"), unique=True)
    created_at: Mapped[datetime]

    reviewer: Mapped[Member] = relationship(lazy="selectin")


# The voting and results tables live in their subpackages; importing them here
# puts every budgets table in the metadata whenever the models are loaded.
from budgets.results.models import PotResult  # noqa: E402, F401
from budgets.voting.models import Paper, Participation, Voter  # noqa: E402, F401
