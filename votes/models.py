"""Ballots, their frozen electorates, the votes cast in them, and proxies.

A secret ballot keeps who took part (``SecretParticipation``) and what was
chosen (``SecretPaper``) in two tables that share nothing but the ballot: no
foreign key between them, no timestamps, and primary keys that say nothing of
the order of voting (the seat for a participation, the random tracker for a
paper). On SQLite both are ``WITHOUT ROWID`` tables, so even the file's own row
order is the key order. This is unlinkable storage, not cryptographic secrecy:
whoever administers the database server can still see which rows one
transaction wrote.
"""

from __future__ import annotations

import enum
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db
from governance.models import Body, Member, Organization, Seat, enum_check, str_enum

if TYPE_CHECKING:
    from governance.extensions import Base as Model
else:
    Model = db.Model

# "split" is registered by budgets/ (a surplus split: shares summing to the whole).
METHOD_IDS = (
    "yes-no-abstain",
    "plurality",
    "approval",
    "score",
    "schulze",
    "instant-runoff",
    "split",
)


class BallotMode(enum.StrEnum):
    SECRET = "secret"  # noqa: S105 - a kind of ballot, not a password
    NOMINAL = "nominal"


class BallotState(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


BALLOT_TRANSITIONS: dict[BallotState, frozenset[BallotState]] = {
    BallotState.SCHEDULED: frozenset({BallotState.OPEN, BallotState.CANCELLED}),
    BallotState.OPEN: frozenset({BallotState.CLOSED}),
    BallotState.CLOSED: frozenset(),
    BallotState.CANCELLED: frozenset(),
}


class ThresholdBase(enum.StrEnum):
    VOTES = "votes"  # yes + no; abstentions left out
    ELECTORATE = "electorate"  # the whole frozen electorate's weight


class Ballot(Model):
    """A question put to a body: one proposal, or a standalone question with options."""

    __tablename__ = "ballots"
    __table_args__ = (
        sa.CheckConstraint(enum_check("state", BallotState), name="state"),
        sa.CheckConstraint(enum_check("mode", BallotMode), name="mode"),
        sa.CheckConstraint(
            "method IN (" + ", ".join(f"'{m}'" for m in METHOD_IDS) + ")", name="method"
        ),
        sa.CheckConstraint(enum_check("threshold_base", ThresholdBase), name="threshold_base"),
        sa.CheckConstraint("closes_at > opens_at", name="times"),
        sa.CheckConstraint(
            "quorum_den > 0 AND quorum_num >= 0 AND quorum_num <= quorum_den", name="quorum"
        ),
        sa.CheckConstraint(
            "(threshold_num IS NULL AND threshold_den IS NULL) OR "
            "(threshold_den > 0 AND threshold_num >= 0 AND threshold_num <= threshold_den)",
            name="threshold",
        ),
        sa.Index("ix_ballots_state_opens_at", "state", "opens_at"),
        sa.Index("ix_ballots_state_closes_at", "state", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    # The proposal it decides, and the revision put to the vote; None for a
    # standalone question.
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    revision_number: Mapped[int | None]
    # Set when the ballot decides an amendment to that proposal, not the proposal.
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal_amendments.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    method: Mapped[str] = mapped_column(sa.String(32))
    options: Mapped[list[str]] = mapped_column(sa.JSON)
    max_choices: Mapped[int | None]
    max_score: Mapped[int | None]
    # A registered method's own settings (for "split": the scale, the rule, the
    # floors and ceilings, the amount split); None for the methods of votes/.
    method_settings: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    quorum_num: Mapped[int] = mapped_column(default=0)
    quorum_den: Mapped[int] = mapped_column(default=1)
    threshold_num: Mapped[int | None]
    threshold_den: Mapped[int | None]
    threshold_base: Mapped[ThresholdBase] = mapped_column(
        str_enum(ThresholdBase), default=ThresholdBase.VOTES
    )
    is_strict: Mapped[bool] = mapped_column(default=True)
    mode: Mapped[BallotMode] = mapped_column(str_enum(BallotMode))
    state: Mapped[BallotState] = mapped_column(str_enum(BallotState), default=BallotState.SCHEDULED)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # Frozen when the ballot opens: the sum of the electorate's weights.
    electorate_weight: Mapped[int | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    result_hash: Mapped[str | None] = mapped_column(sa.String(64))

    body: Mapped[Body] = relationship()
    created_by: Mapped[Member] = relationship()

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_num, self.quorum_den)

    @property
    def threshold(self) -> Fraction | None:
        if self.threshold_num is None or self.threshold_den is None:
            return None
        return Fraction(self.threshold_num, self.threshold_den)

    @property
    def is_secret(self) -> bool:
        return self.mode is BallotMode.SECRET


class Elector(Model):
    """One seat of the electorate, frozen with its holder and weight when the
    ballot opened. A seat added later is not here, so it does not vote."""

    __tablename__ = "ballot_electors"
    __table_args__ = (sa.CheckConstraint("weight > 0", name="weight"),)

    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id"), primary_key=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("seats.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    weight: Mapped[int]

    seat: Mapped[Seat] = relationship()
    member: Mapped[Member] = relationship(lazy="selectin")
    organization: Mapped[Organization | None] = relationship(lazy="selectin")


class NominalVote(Model):
    """The current vote of one seat in a nominal ballot; a new vote replaces it."""

    __tablename__ = "nominal_votes"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["ballot_id", "seat_id"], ["ballot_electors.ballot_id", "ballot_electors.seat_id"]
        ),
        sa.UniqueConstraint("ballot_id", "seat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id"))
    seat_id: Mapped[int]
    # Canonical JSON text of the choice: grouped and summed in SQL.
    choice: Mapped[str] = mapped_column(sa.Text)
    # The published paper's salt (its tracker is computed from it).
    salt: Mapped[str] = mapped_column(sa.String(64))
    weight: Mapped[int]
    cast_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    cast_at: Mapped[datetime]

    cast_by: Mapped[Member] = relationship(lazy="selectin")


class SecretParticipation(Model):
    """Who took part in a secret ballot: a seat, and who cast for it. No time,
    no choice, nothing that points to a paper."""

    __tablename__ = "secret_participations"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["ballot_id", "seat_id"], ["ballot_electors.ballot_id", "ballot_electors.seat_id"]
        ),
        {"sqlite_with_rowid": False},
    )

    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id"), primary_key=True)
    seat_id: Mapped[int] = mapped_column(primary_key=True)
    cast_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))


class SecretPaper(Model):
    """What was chosen in a secret ballot, keyed by its random tracker."""

    __tablename__ = "secret_papers"
    __table_args__ = (
        sa.CheckConstraint("weight > 0", name="weight"),
        {"sqlite_with_rowid": False},
    )

    tracker: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id"), index=True)
    salt: Mapped[str] = mapped_column(sa.String(64))
    weight: Mapped[int]
    choice: Mapped[str] = mapped_column(sa.Text)


class Proxy(Model):
    """A member gives their vote in a body (or in one ballot) to another member."""

    __tablename__ = "proxies"
    __table_args__ = (
        sa.CheckConstraint("grantor_id <> holder_id", name="not_self"),
        # One standing proxy per grantor and scope (the body, or one ballot).
        sa.Index(
            "uq_proxies_active_body",
            "body_id",
            "grantor_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL AND ballot_id IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL AND ballot_id IS NULL"),
        ),
        sa.Index(
            "uq_proxies_active_ballot",
            "ballot_id",
            "grantor_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL AND ballot_id IS NOT NULL"),
            postgresql_where=sa.text("revoked_at IS NULL AND ballot_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    ballot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ballots.id"))
    grantor_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    holder_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    body: Mapped[Body] = relationship()
    ballot: Mapped[Ballot | None] = relationship()
    grantor: Mapped[Member] = relationship(foreign_keys=[grantor_id], lazy="selectin")
    holder: Mapped[Member] = relationship(foreign_keys=[holder_id], lazy="selectin")


class NoticeEvent(enum.StrEnum):
    OPENED = "opened"
    REMINDER = "reminder"
    RESULT = "result"


class BallotNotice(Model):
    """A ballot event waiting for a member's daily digest."""

    __tablename__ = "ballot_notices"
    __table_args__ = (
        sa.CheckConstraint(enum_check("event", NoticeEvent), name="event"),
        sa.Index("ix_ballot_notices_pending", "member_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id"))
    event: Mapped[NoticeEvent] = mapped_column(str_enum(NoticeEvent))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    ballot: Mapped[Ballot] = relationship(lazy="selectin")
