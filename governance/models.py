"""Members, organizations, bodies and seats; tokens, mail outbox, audit log."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
else:
    Model = db.Model


def enum_check(column: str, enum_cls: type[enum.Enum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum_cls)
    return f"{column} IN ({values})"


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum by value as a plain string; a CheckConstraint guards it."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
    )


class OrganizationKind(enum.StrEnum):
    COOPERATIVE = "cooperative"
    ASSOCIATION = "association"
    COMMUNITY_BANK = "community-bank"
    FAMILY_UNIT = "family-unit"
    GROUP = "group"
    OTHER = "other"


class BodyKind(enum.StrEnum):
    ASSEMBLY = "assembly"
    FUND_COMMITTEE = "fund-committee"
    COUNCIL = "council"
    OTHER = "other"


class Role(enum.StrEnum):
    """A seat's role in its body. Observers hold a seat but no vote."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    MEMBER = "member"
    OBSERVER = "observer"


class BallotMail(enum.StrEnum):
    """How a member hears about ballots: each event at once, a daily digest, or not."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    NONE = "none"


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password-reset"  # noqa: S105 - a purpose, not a secret


class Member(UserMixin, Model):
    __tablename__ = "members"
    __table_args__ = (
        sa.CheckConstraint(enum_check("ballot_mail", BallotMail), name="ballot_mail"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    language: Mapped[str] = mapped_column(sa.String(8), default="es")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/Sao_Paulo")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active_member: Mapped[bool] = mapped_column(default=True)
    ballot_mail: Mapped[BallotMail] = mapped_column(
        str_enum(BallotMail), default=BallotMail.IMMEDIATE, server_default="immediate"
    )
    last_digest_at: Mapped[datetime | None]
    # Part of the login cookie: raising it logs the member out everywhere.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]

    seats: Mapped[list[Seat]] = relationship(back_populates="member")
    delegations: Mapped[list[Delegation]] = relationship(back_populates="member")

    def get_id(self) -> str:  # Flask-Login: what the session cookie names
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated member cannot log in
        return self.is_active_member and self.password_hash is not None

    def active_seats(self, on: date) -> list[Seat]:
        return [seat for seat in self.seats if seat.is_active_on(on)]


class Organization(Model):
    __tablename__ = "organizations"
    __table_args__ = (sa.CheckConstraint(enum_check("kind", OrganizationKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganizationKind] = mapped_column(str_enum(OrganizationKind))
    created_at: Mapped[datetime]

    delegations: Mapped[list[Delegation]] = relationship(back_populates="organization")


class Delegation(Model):
    """A member acts for an organization of the network as its delegate."""

    __tablename__ = "delegations"
    __table_args__ = (sa.UniqueConstraint("organization_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship(back_populates="delegations", lazy="selectin")
    member: Mapped[Member] = relationship(back_populates="delegations")


class Body(Model):
    """A deciding body. Its support threshold (a number of supports, or a share of
    its voting seats in percent) moves a proposal to "ready for decision"; a
    private body's proposals are readable by its members only."""

    __tablename__ = "bodies"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", BodyKind), name="kind"),
        sa.CheckConstraint(
            "support_threshold_count IS NULL OR support_threshold_count > 0",
            name="threshold_count",
        ),
        sa.CheckConstraint(
            "support_threshold_percent IS NULL OR "
            "(support_threshold_percent > 0 AND support_threshold_percent <= 100)",
            name="threshold_percent",
        ),
        sa.CheckConstraint(
            "support_period_days IS NULL OR support_period_days > 0", name="support_period"
        ),
        sa.CheckConstraint("max_proxies >= 0", name="max_proxies"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[BodyKind] = mapped_column(str_enum(BodyKind))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    is_private: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    support_threshold_count: Mapped[int | None]
    support_threshold_percent: Mapped[int | None]
    # Days after publishing during which supports are collected (None: no limit).
    support_period_days: Mapped[int | None]
    # The most proxies one member may hold in this body (0: no proxies).
    max_proxies: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime]

    seats: Mapped[list[Seat]] = relationship(back_populates="body", order_by="Seat.id")

    def active_seats(self, on: date) -> list[Seat]:
        return [seat for seat in self.seats if seat.is_active_on(on)]


class Seat(Model):
    """A place in a body, held by a member in their own name or for an organization."""

    __tablename__ = "seats"
    __table_args__ = (
        sa.CheckConstraint(enum_check("role", Role), name="role"),
        sa.CheckConstraint("weight >= 0", name="weight"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.MEMBER)
    weight: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime]

    # Loaded in batches with the seats: pages list many seats at once.
    body: Mapped[Body] = relationship(back_populates="seats", lazy="selectin")
    member: Mapped[Member] = relationship(back_populates="seats", lazy="selectin")
    organization: Mapped[Organization | None] = relationship(lazy="selectin")

    def is_active_on(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)

    @property
    def has_vote(self) -> bool:
        return self.role is not Role.OBSERVER and self.weight > 0


class AccessToken(Model):
    """A single-use, expiring secret sent by email. Only its sha256 is stored."""

    __tablename__ = "access_tokens"
    __table_args__ = (sa.CheckConstraint(enum_check("purpose", TokenPurpose), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose))
    email: Mapped[str] = mapped_column(sa.String(254))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    created_by: Mapped[Member | None] = relationship(foreign_keys=[created_by_id])


class OutboxMessage(Model):
    """Mail written in the transaction that caused it, sent after the commit."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class LoginAttempt(Model):
    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_at", "email", "at"),
        sa.Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64))
    is_success: Mapped[bool]
    at: Mapped[datetime]


class AuditEntry(Model):
    """One link of the audit hash chain. Rows are never updated or deleted
    (database triggers refuse it); ``audit.verify_chain`` detects tampering."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor: Mapped[Member | None] = relationship(lazy="selectin")


class ChainHead(Model):
    """The last link of a hash chain; its row lock serialises writers."""

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class Decision(Model):
    """What a body decided: the ballot, the hash of its result and the proposal
    revision voted on. Never edited (database triggers refuse it): a later
    decision may supersede it by pointing to it."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    revision_number: Mapped[int | None]
    ballot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ballots.id"), unique=True)
    result_hash: Mapped[str | None] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"), unique=True)
    decided_at: Mapped[datetime]

    body: Mapped[Body] = relationship()
    supersedes: Mapped[Decision | None] = relationship(remote_side=[id])
