"""Proposals of every kind, their revisions, authors, comments, amendments,
supports, followers and attachments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db
from governance.models import Body, Member, enum_check, str_enum

if TYPE_CHECKING:
    from governance.extensions import Base as Model
else:
    Model = db.Model

# The proposal kinds of DESIGN.md; each is registered in proposals.kinds.
KIND_IDS = ("motion", "fund-project", "surplus-split", "pb-project", "criteria-change", "admission")


class ProposalState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    READY = "ready"
    IN_BALLOT = "in-ballot"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


# The only moves a proposal can make; services.transition refuses any other.
TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    ProposalState.DRAFT: frozenset({ProposalState.PUBLISHED, ProposalState.WITHDRAWN}),
    ProposalState.PUBLISHED: frozenset({ProposalState.READY, ProposalState.WITHDRAWN}),
    ProposalState.READY: frozenset({ProposalState.IN_BALLOT, ProposalState.WITHDRAWN}),
    # Back to ready when its ballot is cancelled before it opens.
    ProposalState.IN_BALLOT: frozenset(
        {ProposalState.APPROVED, ProposalState.REJECTED, ProposalState.READY}
    ),
    ProposalState.APPROVED: frozenset({ProposalState.ARCHIVED}),
    ProposalState.REJECTED: frozenset({ProposalState.ARCHIVED}),
    ProposalState.WITHDRAWN: frozenset({ProposalState.ARCHIVED}),
    ProposalState.ARCHIVED: frozenset(),
}
# States in which the proposal is public (to all, or to the body if private).
VISIBLE_STATES = frozenset(set(ProposalState) - {ProposalState.DRAFT})
# States in which it is deliberated: comments, amendments, supports.
OPEN_STATES = frozenset({ProposalState.PUBLISHED, ProposalState.READY})


class Stance(enum.StrEnum):
    IN_FAVOUR = "in-favour"
    AGAINST = "against"
    NEUTRAL = "neutral"


class AmendmentState(enum.StrEnum):
    OPEN = "open"
    IN_BALLOT = "in-ballot"  # the body decides it by vote instead of the authors
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Proposal(Model):
    __tablename__ = "proposals"
    __table_args__ = (
        sa.CheckConstraint(enum_check("state", ProposalState), name="state"),
        sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KIND_IDS) + ")", name="kind"),
        sa.Index("ix_proposals_body_state", "body_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"))
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState), index=True)
    # The current revision's title, kept here so lists need no join.
    title: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Fixed at publishing from the body's support period; supports end then.
    supports_close_at: Mapped[datetime | None]
    current_revision: Mapped[int] = mapped_column(default=1)

    body: Mapped[Body] = relationship()
    created_by: Mapped[Member] = relationship()
    authors: Mapped[list[ProposalAuthor]] = relationship(
        back_populates="proposal", order_by="ProposalAuthor.id", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="proposal", order_by="Revision.number"
    )

    def is_author(self, member: Any) -> bool:
        member_id = getattr(member, "id", None)
        return any(author.member_id == member_id for author in self.authors)


class ProposalAuthor(Model):
    __tablename__ = "proposal_authors"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]

    proposal: Mapped[Proposal] = relationship(back_populates="authors")
    member: Mapped[Member] = relationship()


class Revision(Model):
    """One version of a proposal's text and kind fields. After publishing, an
    edit is a new revision; revisions are never changed."""

    __tablename__ = "proposal_revisions"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "number"),
        sa.CheckConstraint("number > 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    fields: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime]

    proposal: Mapped[Proposal] = relationship(back_populates="revisions")
    author: Mapped[Member] = relationship()


class Comment(Model):
    """A comment or a reply to one (two levels). Moderation hides it, with a
    reason shown in its place; it is never deleted."""

    __tablename__ = "proposal_comments"
    __table_args__ = (
        sa.CheckConstraint(enum_check("stance", Stance), name="stance"),
        sa.Index("ix_proposal_comments_proposal_id", "proposal_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal_comments.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    stance: Mapped[Stance] = mapped_column(str_enum(Stance))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    hidden_at: Mapped[datetime | None]

    author: Mapped[Member] = relationship(foreign_keys=[author_id])


class CommentFlag(Model):
    __tablename__ = "proposal_comment_flags"
    __table_args__ = (sa.UniqueConstraint("comment_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal_comments.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime]


class Amendment(Model):
    """A proposed change to the text, against the revision it was written on."""

    __tablename__ = "proposal_amendments"
    __table_args__ = (sa.CheckConstraint(enum_check("state", AmendmentState), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    base_revision: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[AmendmentState] = mapped_column(
        str_enum(AmendmentState), default=AmendmentState.OPEN
    )
    created_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))
    resulting_revision: Mapped[int | None]

    author: Mapped[Member] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id])


class Support(Model):
    __tablename__ = "proposal_supports"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_at: Mapped[datetime]


class Follow(Model):
    __tablename__ = "proposal_follows"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]

    member: Mapped[Member] = relationship()


class Attachment(Model):
    """A file attached to a proposal: stored by its sha256 under the instance
    folder (never under static), served only as a download."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_at: Mapped[datetime]
